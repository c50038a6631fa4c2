#include "storage/sha256.h"

#include <cstdlib>
#include <memory>

#include <openssl/evp.h>

namespace cradle::storage {
namespace {

const EVP_MD* Sha256Method() {
  static const EVP_MD* const md = [] {
    EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    // Without SHA-256 no entry can be written or checked.
    if (fetched == nullptr) std::abort();
    return fetched;
  }();
  return md;
}

struct ContextFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

}  // namespace

std::string Sha256(std::initializer_list<absl::string_view> parts) {
  thread_local const std::unique_ptr<EVP_MD_CTX, ContextFree> ctx(
      EVP_MD_CTX_new());
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (ctx == nullptr ||
      EVP_DigestInit_ex2(ctx.get(), Sha256Method(), nullptr) != 1) {
    std::abort();
  }
  for (absl::string_view p : parts) {
    EVP_DigestUpdate(ctx.get(), p.data(), p.size());
  }
  EVP_DigestFinal_ex(ctx.get(), digest, &len);
  return std::string(reinterpret_cast<const char*>(digest), len);
}

}  // namespace cradle::storage
