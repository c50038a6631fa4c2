#pragma once

// The real cradled and cradlectl binaries, driven the way users drive them:
// a server over TLS from a development CA, and cradlectl as each party,
// regulator or the administrator, with their tokens and signing keys.

#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"

#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace cradle::testing {

class CliFixture : public ::testing::Test {
 protected:
  CliFixture() {
    // For the binaries spawned below only: see the file's comment.
    setenv("LSAN_OPTIONS",
           "suppressions=" CRADLE_SOURCE_DIR "/tests/e2e/lsan_tls_exit.supp",
           1);
  }

  // Starts cradled with TLS from a development CA (made by cradlectl on the
  // first start, as a user would), reading the address it prints.
  void StartServer(const std::vector<std::string>& extra = {}) {
    const std::string line = TryStartServer(extra);
    ASSERT_FALSE(address_.empty())
        << "cradled did not start: " << line << server_->Stderr();
  }

  // Starts cradled and returns the line with its address (or what it
  // printed instead); address_ is empty when it did not start, and
  // server_->Stderr() says why. Later lines: server_->FirstLine().
  std::string TryStartServer(const std::vector<std::string>& extra = {}) {
    address_.clear();
    if (!std::ifstream(dir_.Sub("tls/ca.crt"))) {
      RunResult ca = cradle::testing::Run(
          {CRADLE_CRADLECTL, "dev-ca", "--out", dir_.Sub("tls")});
      EXPECT_EQ(ca.exit_code, 0) << ca.err;
    }
    std::vector<std::string> argv = {CRADLE_CRADLED,
                                     "--data",
                                     dir_.Sub("ledger"),
                                     "--listen",
                                     "127.0.0.1:0",
                                     "--tls_cert",
                                     dir_.Sub("tls/server.crt"),
                                     "--tls_key",
                                     dir_.Sub("tls/server.key")};
    argv.insert(argv.end(), extra.begin(), extra.end());
    server_ = std::make_unique<Daemon>(argv);
    // "cradled: listening on 127.0.0.1:PORT (TLS), ledger ...", after the
    // first start's "administrator token written to ..." line.
    std::string line = server_->FirstLine();
    if (absl::StrContains(line, "administrator token written to")) {
      first_start_line_ = line;
      line = server_->FirstLine();
    }
    const size_t at = line.find("127.0.0.1:");
    if (at == std::string::npos) return line;
    std::string rest = line.substr(at);
    address_ = rest.substr(0, rest.find(' '));
    tokens_["admin"] = dir_.Sub("ledger/admin.token");
    return line;
  }

  // cradlectl as `who` ("admin", a regulator name or a party's USCC), over
  // TLS trusting the development CA, with its token and signing key.
  RunResult Ctl(const std::string& who, std::vector<std::string> args) {
    std::vector<std::string> global = {CRADLE_CRADLECTL, "--server", address_,
                                       "--ca", dir_.Sub("tls/ca.crt")};
    if (tokens_.count(who) > 0) {
      global.insert(global.end(), {"--token-file", tokens_[who]});
    }
    if (keys_.count(who) > 0)
      global.insert(global.end(), {"--key", keys_[who]});
    args.insert(args.begin(), global.begin(), global.end());
    return cradle::testing::Run(args);
  }

  void CtlOk(const std::string& who, std::vector<std::string> args) {
    RunResult r = Ctl(who, args);
    ASSERT_EQ(r.exit_code, 0)
        << who << ": " << args[0] << " " << args[1] << ": " << r.err;
  }

  // Registers a party as the administrator and issues it a credential;
  // carriers and receivers first make their signing key with keygen.
  void Enroll(const std::string& id, const std::string& name,
              const std::string& division, const std::string& role) {
    CtlOk("admin", {"enterprise", "register", "--id", id, "--name", name,
                    "--division", division, "--roles", role});
    std::vector<std::string> issue = {
        "credential", "issue",  "--kind", "party", "--enterprise",
        id,           "--role", role,     "--out", dir_.Sub(id + ".token")};
    // Every party signs what it attests (a generator: weighbridge
    // readings at its exit).
    RunResult key = Ctl(id, {"keygen", "--out", dir_.Sub(id + ".key")});
    ASSERT_EQ(key.exit_code, 0) << key.err;
    keys_[id] = dir_.Sub(id + ".key");
    issue.insert(issue.end(), {"--public-key", dir_.Sub(id + ".key.pub")});
    CtlOk("admin", issue);
    tokens_[id] = dir_.Sub(id + ".token");
  }

  // A regulator credential for a jurisdiction, named `name`.
  void Regulator(const std::string& name, const std::string& jurisdiction) {
    CtlOk("admin",
          {"credential", "issue", "--kind", "regulator", "--jurisdiction",
           jurisdiction, "--out", dir_.Sub(name + ".token")});
    tokens_[name] = dir_.Sub(name + ".token");
  }

  cradle::testing::TempDir dir_;
  std::unique_ptr<Daemon> server_;
  std::string address_;
  std::string first_start_line_;
  std::map<std::string, std::string> tokens_;  // who -> token file
  std::map<std::string, std::string> keys_;    // who -> private key file
};

}  // namespace cradle::testing
