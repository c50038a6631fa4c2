#pragma once

// Whole files, written so that a crash leaves either nothing or all of it:
// every write is fsync'd, and so is the directory entry that names it.

#include <sys/types.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace cradle {

// The bytes of `path`. NOT_FOUND (naming the path and why) when it cannot
// be read.
absl::StatusOr<std::string> ReadFile(const std::string& path);

// Creates `path`, which must not exist (ALREADY_EXISTS otherwise), with
// `contents` and exactly `mode` (not less the umask), and fsyncs it.
// Removes it again if anything fails after creating it.
absl::Status WriteNewFile(const std::string& path, absl::string_view contents,
                          mode_t mode);

// Replaces `path` with `contents` atomically and durably: a crash leaves the
// old file or the new one, never a torn one. Writes through `path`.tmp.
absl::Status ReplaceFile(const std::string& path, absl::string_view contents,
                         mode_t mode);

// Renames `from` to `to` (replacing it) and fsyncs the directory of `to`.
absl::Status RenameDurably(const std::string& from, const std::string& to);

// Fsyncs the directory holding `path`, so that its entry survives a crash.
absl::Status SyncDirectoryOf(const std::string& path);

}  // namespace cradle
