#include "base/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace cradle {

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat("cannot read ", path, ": ", std::strerror(errno)));
  }
  std::stringstream s;
  s << in.rdbuf();
  if (in.bad()) {
    return absl::NotFoundError(absl::StrCat("cannot read ", path));
  }
  return s.str();
}

absl::Status WriteNewFile(const std::string& path, absl::string_view contents,
                          mode_t mode) {
  const int fd =
      ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    if (errno == EEXIST) {
      return absl::AlreadyExistsError(absl::StrCat(path, " already exists"));
    }
    return absl::ErrnoToStatus(errno, absl::StrCat("cannot create ", path));
  }
  auto fail = [&](absl::string_view what) {
    const int error = errno;
    ::close(fd);
    ::unlink(path.c_str());
    return absl::ErrnoToStatus(error, absl::StrCat("cannot ", what, " ", path));
  };
  if (::fchmod(fd, mode) != 0) return fail("chmod");
  while (!contents.empty()) {
    const ssize_t n = ::write(fd, contents.data(), contents.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail("write");
    contents.remove_prefix(static_cast<size_t>(n));
  }
  if (::fsync(fd) != 0) return fail("fsync");
  if (::close(fd) != 0) {
    const int error = errno;
    ::unlink(path.c_str());
    return absl::ErrnoToStatus(error, absl::StrCat("cannot close ", path));
  }
  return absl::OkStatus();
}

absl::Status ReplaceFile(const std::string& path, absl::string_view contents,
                         mode_t mode) {
  const std::string tmp = path + ".tmp";
  ::unlink(tmp.c_str());  // left by a crash
  absl::Status written = WriteNewFile(tmp, contents, mode);
  if (!written.ok()) return written;
  absl::Status renamed = RenameDurably(tmp, path);
  if (!renamed.ok()) ::unlink(tmp.c_str());
  return renamed;
}

absl::Status RenameDurably(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) {
    return absl::ErrnoToStatus(
        errno, absl::StrCat("cannot rename ", from, " to ", to));
  }
  return SyncDirectoryOf(to);
}

absl::Status SyncDirectoryOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "."
                          : slash == 0               ? "/"
                                                     : path.substr(0, slash);
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat("cannot open ", dir));
  }
  const int r = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  return r == 0
             ? absl::OkStatus()
             : absl::ErrnoToStatus(error, absl::StrCat("cannot fsync ", dir));
}

}  // namespace cradle
