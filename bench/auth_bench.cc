// What authentication and signatures cost per RPC, to set against the
// append path (docs/BENCHMARKS.md): the gate's token check with 10,001
// credentials on record, the authorization row and ownership checks, and a
// party's Ed25519 signature made (client) and verified (server).
//
//   build/bench/auth_bench

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/blocking_counter.h"
#include "benchmark/benchmark.h"
#include <openssl/evp.h>

#include "cradle/v1/manifest.pb.h"
#include "domain/authz.h"
#include "security/attestation.h"
#include "security/ed25519.h"
#include "services/credential_store.h"
#include "storage/rocksdb_ledger.h"

namespace {

using cradle::domain::Operation;

struct World {
  std::string dir;
  std::unique_ptr<cradle::storage::Ledger> ledger;
  std::unique_ptr<cradle::services::CredentialStore> credentials;
  std::string admin_token;
  std::unique_ptr<cradle::security::Ed25519Key> key;
  cradle::v1::PickupRequest pickup;
};

World& TheWorld() {
  static World* w = [] {
    auto* w = new World;
    w->dir = (std::filesystem::temp_directory_path() /
              absl::StrCat("cradle-auth-bench-", getpid()))
                 .string();
    std::filesystem::create_directories(w->dir);
    cradle::storage::RocksDbLedger::Options options;
    options.sync = false;
    auto ledger =
        cradle::storage::RocksDbLedger::Open(w->dir + "/ledger", options);
    if (!ledger.ok()) std::abort();
    w->ledger = *std::move(ledger);
    auto creds = cradle::services::CredentialStore::Load(
        *w->ledger, cradle::SystemClock::Get());
    if (!creds.ok()) std::abort();
    w->credentials = *std::move(creds);
    if (!w->credentials->Bootstrap(w->dir + "/admin.token").ok()) std::abort();
    std::ifstream in(w->dir + "/admin.token");
    std::getline(in, w->admin_token);
    // 10,000 more credentials, so the lookup is not of a one-entry map.
    cradle::domain::Principal admin =
        *w->credentials->Authenticate(w->admin_token);
    absl::BlockingCounter issued(10000);
    for (int i = 0; i < 10000; ++i) {
      cradle::v1::IssueCredentialRequest req;
      req.mutable_meta()->set_idempotency_key(absl::StrCat("r", i));
      req.set_kind(cradle::v1::CREDENTIAL_KIND_REGULATOR);
      req.set_jurisdiction("3304");
      w->credentials->Issue(req, admin, [&issued](auto r) {
        if (!r.ok()) std::abort();
        issued.DecrementCount();
      });
    }
    issued.Wait();
    auto key = cradle::security::Ed25519Key::LoadOrCreate(w->dir + "/k.pem");
    if (!key.ok()) std::abort();
    w->key = *std::move(key);
    w->pickup.mutable_meta()->set_idempotency_key("k-1");
    w->pickup.set_number("20263304000001");
    w->pickup.set_carrier("91330421MA2G5K6L7B");
    w->pickup.set_vehicle("浙F12345");
    w->pickup.set_driver("张师傅");
    if (!cradle::security::SignRequest(*w->key, &w->pickup).ok()) std::abort();
    return w;
  }();
  return *w;
}

void BM_AuthenticateToken(benchmark::State& state) {
  World& w = TheWorld();
  for (auto _ : state) {
    auto p = w.credentials->Authenticate(w.admin_token);
    benchmark::DoNotOptimize(p);
  }
}
BENCHMARK(BM_AuthenticateToken);

void BM_RejectWrongSecret(benchmark::State& state) {
  World& w = TheWorld();
  std::string wrong = w.admin_token;
  wrong.back() = wrong.back() == '0' ? '1' : '0';
  for (auto _ : state) {
    auto p = w.credentials->Authenticate(wrong);
    benchmark::DoNotOptimize(p);
  }
}
BENCHMARK(BM_RejectWrongSecret);

void BM_AuthorizeRowAndOwnership(benchmark::State& state) {
  cradle::domain::Principal p;
  p.credential = "0123456789abcdef";
  p.kind = cradle::v1::CREDENTIAL_KIND_PARTY;
  p.role = cradle::v1::ROLE_TRANSPORTER;
  p.enterprise = "91330421MA2G5K6L7B";
  for (auto _ : state) {
    absl::Status s = cradle::domain::Authorize(p, Operation::kPickup);
    absl::Status t = cradle::domain::CheckActsFor(p, "carrier", p.enterprise);
    benchmark::DoNotOptimize(s);
    benchmark::DoNotOptimize(t);
  }
}
BENCHMARK(BM_AuthorizeRowAndOwnership);

void BM_VerifyPartySignature(benchmark::State& state) {
  World& w = TheWorld();
  for (auto _ : state) {
    bool ok = cradle::security::VerifyRequest(w.key->public_key(), w.pickup);
    if (!ok) std::abort();
  }
}
BENCHMARK(BM_VerifyPartySignature);

// The reference: the same signature of the same bytes verified with
// OpenSSL 3.0's EVP interface, as VerifyEd25519 did before it moved to
// libsodium (docs/BENCHMARKS.md, "Identity").
void BM_VerifyPartySignatureWithOpenSsl(benchmark::State& state) {
  World& w = TheWorld();
  const std::string message = cradle::security::AttestationMessage(w.pickup);
  const std::string signature = cradle::security::SignatureOf(w.pickup);
  const std::string& key = w.key->public_key();
  for (auto _ : state) {
    EVP_PKEY* pkey = EVP_PKEY_new_raw_public_key(
        EVP_PKEY_ED25519, nullptr,
        reinterpret_cast<const unsigned char*>(key.data()), key.size());
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    const bool ok =
        EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, pkey) == 1 &&
        EVP_DigestVerify(
            ctx, reinterpret_cast<const unsigned char*>(signature.data()),
            signature.size(),
            reinterpret_cast<const unsigned char*>(message.data()),
            message.size()) == 1;
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(pkey);
    if (!ok) std::abort();
  }
}
BENCHMARK(BM_VerifyPartySignatureWithOpenSsl);

void BM_SignPartyRequest(benchmark::State& state) {
  World& w = TheWorld();
  cradle::v1::PickupRequest r = w.pickup;
  for (auto _ : state) {
    absl::Status s = cradle::security::SignRequest(*w.key, &r);
    benchmark::DoNotOptimize(s);
  }
}
BENCHMARK(BM_SignPartyRequest);

}  // namespace
