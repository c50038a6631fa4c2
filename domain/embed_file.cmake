# Writes a C++ source that defines `absl::string_view <FUNCTION>()` in
# cradle::domain, returning the bytes of INPUT exactly (CRLF kept, no
# delimiter to collide with). Usage:
#   cmake -DINPUT=<file> -DOUTPUT=<file.cc> -DFUNCTION=<name> -DHEADER=<include>
#         -P embed_file.cmake
foreach(var INPUT OUTPUT FUNCTION HEADER)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "embed_file.cmake: -D${var}=... is required")
  endif()
endforeach()

file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" hex_length)
math(EXPR byte_count "${hex_length} / 2")

# 32 bytes per line of the literal, each byte written as \xNN.
string(REPEAT "[0-9a-f][0-9a-f]" 32 line_pattern)
string(REGEX REPLACE "(${line_pattern})" "\\1\"\n    \"" hex "${hex}")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "\\\\x\\1" hex "${hex}")

file(RELATIVE_PATH input_name "${CMAKE_CURRENT_LIST_DIR}/.." "${INPUT}")
set(content "// Generated from ${input_name} by domain/embed_file.cmake. Do not edit.

#include \"${HEADER}\"

namespace cradle::domain {
namespace {

constexpr char kData[] =
    \"${hex}\";
static_assert(sizeof(kData) == ${byte_count} + 1, \"embedded size\");

}  // namespace

absl::string_view ${FUNCTION}() {
  return absl::string_view(kData, sizeof(kData) - 1);
}

}  // namespace cradle::domain
")

file(WRITE "${OUTPUT}" "${content}")
