// A province on three cradled processes over one PostgreSQL log (label:
// cluster): writes sent to any node, the writer killed with SIGKILL under
// load and restarted, and then every acknowledged write present exactly once
// on every node, with the same tree head everywhere (docs/CLUSTER.md).

#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include <netinet/in.h>

#include "base/time.h"
#include "cradle/v1/audit.grpc.pb.h"
#include "cradle/v1/feed.grpc.pb.h"
#include "cradle/v1/node.grpc.pb.h"
#include "cradle/v1/registry.grpc.pb.h"
#include "httplib.h"
#include "security/ed25519.h"
#include "storage/entry_codec.h"
#include "storage/pg_batch_log.h"
#include "storage/tree_head.h"
#include "tests/testing/free_port.h"
#include "tests/testing/parties.h"
#include "tests/testing/pg_server.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace cradle {
namespace {

using ::cradle::testing::FreePort;
using ::testing::HasSubstr;

// How a test runs the cluster's processes.
class Cluster {
 public:
  static constexpr int kNodes = 3;
  virtual ~Cluster() = default;
  virtual std::string Address(int i) const = 0;
  // The log's connection string, as the nodes have it.
  virtual std::string LogConninfo() const = 0;
  virtual std::string DataDir(int i) const = 0;
  virtual void StartNode(int i) = 0;
  virtual void KillNode(int i) = 0;
};

// Three cradled processes over one PostgreSQL server.
class ProcessCluster final : public Cluster {
 public:
  ProcessCluster() {
    // The province's key, made before any node starts: all sign with it.
    EXPECT_TRUE(security::Ed25519Key::LoadOrCreate(KeyFile()).ok());
    for (int i = 0; i < kNodes; ++i) {
      ports_.push_back(FreePort());
      nodes_.emplace_back();
    }
    for (int i = 0; i < kNodes; ++i) StartNode(i);
  }
  std::string Address(int i) const override {
    return absl::StrCat("127.0.0.1:", ports_[i]);
  }
  std::string LogConninfo() const override { return pg_.conninfo(); }
  std::string DataDir(int i) const override {
    return dir_.Sub(absl::StrCat("node", i));
  }
  void StartNode(int i) override { StartNode(i, {}); }
  void StartNode(int i, const std::vector<std::string>& extra) {
    std::vector<std::string> argv = {
        CRADLE_CRADLED,     "--data",     DataDir(i),      "--listen",
        Address(i),         "--insecure", "--cluster-log", pg_.conninfo(),
        "--sweep-interval", "0",          "--scrub-rate",  "0",
        "--signing-key",    KeyFile()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    nodes_[i] = std::make_unique<testing::Daemon>(argv);
    const std::string line = nodes_[i]->FirstLine();
    ASSERT_NE(line.find("listening on"), std::string::npos)
        << line << nodes_[i]->Stderr();
  }
  void KillNode(int i) override { nodes_[i]->Kill(SIGKILL); }
  // SIGSTOP, SIGCONT: a node frozen keeps its connections open, as one cut
  // off by a network partition does.
  void Signal(int i, int sig) { nodes_[i]->Signal(sig); }
  // One more node, with `extra` flags; its index.
  int AddNode(const std::vector<std::string>& extra) {
    ports_.push_back(FreePort());
    nodes_.emplace_back();
    const int i = static_cast<int>(nodes_.size()) - 1;
    StartNode(i, extra);
    return i;
  }
  std::string Stderr(int i) const { return nodes_[i]->Stderr(); }
  std::string KeyFile() const { return dir_.Sub("province-signing-key.pem"); }

 private:
  testing::PgServer pg_;
  testing::TempDir dir_;
  std::vector<int> ports_;
  std::vector<std::unique_ptr<testing::Daemon>> nodes_;
};

// The province scripts/cluster.sh runs: three etcd, three PostgreSQL under
// Patroni (synchronous mode, strict), three cradled.
class PatroniCluster final : public Cluster {
 public:
  // Its ports (base + 1 .. base + 73) lie above Linux's ephemeral range
  // (32768-60999), where FreePort() and outgoing connections never land.
  PatroniCluster() : base_(61000 + getpid() % 44 * 100) {
    testing::RunResult up = Script({"up"});
    EXPECT_EQ(up.exit_code, 0) << up.out << up.err;
  }
  // CRADLE_KEEP_CLUSTER=1 keeps a failed test's cluster directory (its
  // Patroni, PostgreSQL and cradled logs) for a post-mortem.
  ~PatroniCluster() override {
    const char* keep = std::getenv("CRADLE_KEEP_CLUSTER");
    if (keep != nullptr && *keep == '1' && ::testing::Test::HasFailure()) {
      Script({"down"});
      std::fprintf(stderr, "cluster kept in %s\n", dir_.c_str());
      return;
    }
    Script({"clean"});
  }
  std::string Address(int i) const override {
    return absl::StrCat("127.0.0.1:", base_ + 1 + i);
  }
  std::string LogConninfo() const override {
    return absl::StrFormat(
        "host=127.0.0.1,127.0.0.1,127.0.0.1 port=%d,%d,%d user=cradle "
        "dbname=postgres target_session_attrs=read-write",
        base_ + 41, base_ + 42, base_ + 43);
  }
  std::string DataDir(int i) const override {
    return absl::StrCat(dir_, "/node", i + 1);
  }
  void StartNode(int i) override { Script({"start-node", Index(i)}); }
  void KillNode(int i) override { Script({"kill-node", Index(i)}); }
  void StartDb(int i) { Script({"start-db", Index(i)}); }
  void KillDb(int i) { Script({"kill-db", Index(i)}); }
  // The database primary, by index; -1 when there is none.
  int PrimaryDb() {
    testing::RunResult r = Script({"status"});
    for (int i = 0; i < kNodes; ++i) {
      if (r.out.find(absl::StrCat("postgres ", i + 1, "  primary")) !=
          std::string::npos) {
        return i;
      }
    }
    return -1;
  }

 private:
  static std::string Index(int i) { return absl::StrCat(i + 1); }
  testing::RunResult Script(std::vector<std::string> args) {
    std::vector<std::string> argv = {
        "/usr/bin/env", absl::StrCat("CRADLE_CLUSTER_DIR=", dir_),
        absl::StrCat("CRADLE_CLUSTER_PORT=", base_),
        absl::StrCat("CRADLE_BIN=", CRADLE_BIN_ROOT),
        // Promotions, demotions and the synchronous standby, for a
        // post-mortem.
        "CRADLE_PATRONI_LOG=INFO", "/bin/bash",
        absl::StrCat(CRADLE_SOURCE_DIR, "/scripts/cluster.sh")};
    argv.insert(argv.end(), args.begin(), args.end());
    return testing::Run(argv);
  }

  const std::string dir_ = absl::StrCat("/tmp/cradle-cluster-", getpid());
  const int base_;
};

// A client of the cluster: calls on any node, load with retries, checks.
class ClusterE2eTest : public ::testing::Test {
 protected:
  static constexpr int kNodes = Cluster::kNodes;

  ~ClusterE2eTest() override {
    channels_.clear();
    cluster_.reset();
  }

  // The node the writer's lock names, by index; -1 when none yet.
  int Writer() {
    storage::PgLogOptions options;
    options.conninfo = cluster_->LogConninfo();
    auto lock = storage::PgWriterLock::Open(options);
    if (!lock.ok()) return -1;
    absl::StatusOr<std::string> address = (*lock)->Writer();
    for (int i = 0; address.ok() && i < kNodes; ++i) {
      if (*address == cluster_->Address(i)) return i;
    }
    return -1;
  }

  // Waits for the first writer's administrator token.
  void ReadAdminToken() {
    for (int tries = 0; tries < 600; ++tries) {
      for (int i = 0; i < kNodes; ++i) {
        std::ifstream in(cluster_->DataDir(i) + "/admin.token");
        std::stringstream s;
        s << in.rdbuf();
        if (!s.str().empty()) {
          token_ = std::string(absl::StripAsciiWhitespace(s.str()));
          return;
        }
      }
      absl::SleepFor(absl::Milliseconds(100));
    }
    ADD_FAILURE() << "no node issued the administrator's token";
  }

  // Three cradled processes over one PostgreSQL, into `cluster_` (and
  // `*cluster`); the writer once one holds the lock.
  int StartProcesses(ProcessCluster** cluster) {
    auto processes = std::make_unique<ProcessCluster>();
    *cluster = processes.get();
    cluster_ = std::move(processes);
    ReadAdminToken();
    int writer;
    while ((writer = Writer()) < 0) absl::SleepFor(absl::Milliseconds(50));
    return writer;
  }

  // One channel per node, kept: it reconnects to a restarted node.
  std::shared_ptr<grpc::Channel> Channel(int i) {
    std::lock_guard<std::mutex> lock(channels_mu_);
    if (channels_.count(i) == 0) {
      channels_[i] = grpc::CreateChannel(cluster_->Address(i),
                                         grpc::InsecureChannelCredentials());
    }
    return channels_[i];
  }

  void Authorize(grpc::ClientContext* ctx, absl::Duration timeout) {
    ctx->AddMetadata("authorization", "Bearer " + token_);
    ctx->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  }

  grpc::Status Register(int node, const std::string& id, const std::string& key,
                        uint64_t* sequence = nullptr) {
    auto stub = v1::Registry::NewStub(Channel(node));
    v1::RegisterEnterpriseRequest req;
    req.mutable_meta()->set_idempotency_key(key);
    req.set_id(id);
    req.set_name(absl::StrCat("企业", id.substr(10, 7)));
    req.set_division("320505");
    req.add_roles(v1::ROLE_GENERATOR);
    grpc::ClientContext ctx;
    Authorize(&ctx, absl::Seconds(15));
    v1::RegisterEnterpriseResponse resp;
    grpc::Status s = stub->RegisterEnterprise(&ctx, req, &resp);
    if (s.ok() && sequence != nullptr) {
      auto it = ctx.GetServerTrailingMetadata().find("cradle-sequence");
      if (it != ctx.GetServerTrailingMetadata().end()) {
        absl::SimpleAtoi(std::string(it->second.data(), it->second.size()),
                         sequence);
      }
    }
    return s;
  }

  grpc::Status GetEnterprise(int node, const std::string& id,
                             v1::Enterprise* out, uint64_t min_sequence = 0) {
    auto stub = v1::Registry::NewStub(Channel(node));
    v1::GetEnterpriseRequest req;
    req.set_id(id);
    grpc::ClientContext ctx;
    Authorize(&ctx, absl::Seconds(10));
    if (min_sequence > 0) {
      ctx.AddMetadata("cradle-min-sequence", absl::StrCat(min_sequence));
    }
    v1::GetEnterpriseResponse resp;
    grpc::Status s = stub->GetEnterprise(&ctx, req, &resp);
    *out = resp.enterprise();
    return s;
  }

  // The node's signed tree head; a failed call fails the test unless
  // `may_fail` (polling a node that may still be starting).
  v1::SignedTreeHead TreeHead(int node, bool may_fail = false) {
    auto stub = v1::Audit::NewStub(Channel(node));
    grpc::ClientContext ctx;
    Authorize(&ctx, absl::Seconds(10));
    v1::GetTreeHeadResponse resp;
    grpc::Status s = stub->GetTreeHead(&ctx, v1::GetTreeHeadRequest(), &resp);
    EXPECT_TRUE(s.ok() || may_fail)
        << "node " << node << ": " << s.error_message();
    return resp.tree_head();
  }

  // Clients register enterprises on every node in turn, retrying a failed
  // call with the same idempotency key on the next node, while `faults`
  // runs; then the acknowledged ids.
  std::set<std::string> UnderLoad(const std::function<void()>& faults) {
    std::atomic<bool> stop{false};
    std::mutex mu;
    std::set<std::string> acknowledged;
    std::vector<std::string> unexpected;
    absl::Time last_ack = absl::Now();
    absl::Duration longest_gap;
    std::vector<std::thread> clients;
    for (int c = 0; c < 4; ++c) {
      clients.emplace_back([&, c] {
        for (int n = 0; !stop.load(); ++n) {
          const std::string id =
              testing::MakeUscc("320505", absl::StrFormat("%d%06d", c + 2, n));
          const std::string key = absl::StrCat("load-", c, "-", n);
          const absl::Time give_up = absl::Now() + absl::Seconds(90);
          for (int attempt = 0; absl::Now() < give_up; ++attempt) {
            grpc::Status s = Register((c + n + attempt) % kNodes, id, key);
            std::lock_guard<std::mutex> lock(mu);
            if (s.ok()) {
              acknowledged.insert(id);
              const absl::Time now = absl::Now();
              longest_gap = std::max(longest_gap, now - last_ack);
              last_ack = now;
              break;
            }
            if (s.error_code() != grpc::StatusCode::UNAVAILABLE &&
                s.error_code() != grpc::StatusCode::DEADLINE_EXCEEDED) {
              unexpected.push_back(absl::StrCat(id, ": ", s.error_message()));
              break;
            }
          }
        }
      });
    }
    faults();
    stop = true;
    for (std::thread& t : clients) t.join();
    EXPECT_TRUE(unexpected.empty()) << unexpected.front();
    std::printf(
        "cluster: %zu writes acknowledged; longest gap between two "
        "acknowledgements %s\n",
        acknowledged.size(), absl::FormatDuration(longest_gap).c_str());
    return acknowledged;
  }

  // Every node: the same tree, every chain verified, and every
  // acknowledged write once.
  void ExpectEveryNodeHolds(const std::set<std::string>& acknowledged) {
    int writer;
    while ((writer = Writer()) < 0) absl::SleepFor(absl::Milliseconds(100));
    // The furthest any node is: a writer that has just taken the lock may
    // still be applying the log's tail, behind a follower.
    uint64_t size = 0;
    for (int i = 0; i < kNodes; ++i) {
      size = std::max(size, TreeHead(i, /*may_fail=*/true).tree_size());
    }
    // A node restarted during a database failover waits for the database
    // before it listens.
    for (int tries = 0; tries < 1200; ++tries) {
      bool all = true;
      for (int i = 0; i < kNodes; ++i) {
        all &= TreeHead(i, /*may_fail=*/true).tree_size() >= size;
      }
      if (all) break;
      absl::SleepFor(absl::Milliseconds(100));
    }
    const v1::SignedTreeHead first = TreeHead(0);
    for (int i = 0; i < kNodes; ++i) {
      const v1::SignedTreeHead head = TreeHead(i);
      EXPECT_EQ(head.tree_size(), first.tree_size()) << "node " << i;
      EXPECT_EQ(head.root_hash(), first.root_hash()) << "node " << i;
      // Signed with the province's one key.
      EXPECT_EQ(head.public_key(), first.public_key()) << "node " << i;
      std::string key, root, signature;
      ASSERT_TRUE(storage::ParseHex(head.public_key(), 32, &key));
      ASSERT_TRUE(storage::ParseHex(head.root_hash(), 32, &root));
      ASSERT_TRUE(storage::ParseHex(head.signature(), 64, &signature));
      EXPECT_TRUE(security::VerifyEd25519(
          key,
          storage::TreeHeadMessage(head.tree_size(),
                                   FromTimestamp(head.timestamp()), root),
          signature))
          << "node " << i;
      auto audit = v1::Audit::NewStub(Channel(i));
      grpc::ClientContext ctx;
      Authorize(&ctx, absl::Seconds(30));
      v1::VerifyResponse verified;
      ASSERT_TRUE(audit->Verify(&ctx, v1::VerifyRequest(), &verified).ok());
      EXPECT_TRUE(verified.ok()) << "node " << i << ": " << verified.problem();
      EXPECT_EQ(verified.checked(), first.tree_size()) << "node " << i;
      for (const std::string& id : acknowledged) {
        v1::Enterprise e;
        grpc::Status s = GetEnterprise(i, id, &e);
        ASSERT_TRUE(s.ok())
            << "node " << i << ", " << id << ": " << s.error_message();
        EXPECT_EQ(e.version(), 1u) << "node " << i << ", " << id;
      }
    }
  }

  // Node.GetNodeStatus of `node`; false (and a failure) when it does not
  // answer.
  bool NodeStatus(int node, v1::GetNodeStatusResponse* status) {
    grpc::ClientContext ctx;
    Authorize(&ctx, absl::Seconds(10));
    grpc::Status s =
        v1::Node::NewStub(Channel(node))
            ->GetNodeStatus(&ctx, v1::GetNodeStatusRequest(), status);
    EXPECT_TRUE(s.ok()) << "node " << node << ": " << s.error_message();
    return s.ok();
  }

  // Follows the feed of enterprise registrations from `node`, as an
  // integrator would: each subscription runs to the head, the next resumes
  // from the last position, and a failed one moves to the next node. Stops
  // once it has read past `*until` (0: not known yet). The ids it received,
  // as many times as it received each.
  std::multiset<std::string> FollowFeed(int node,
                                        const std::atomic<uint64_t>* until) {
    std::multiset<std::string> ids;
    uint64_t position = 0;
    int failures = 0;
    while (until->load() == 0 || position < until->load()) {
      auto feed = v1::Feed::NewStub(Channel(node));
      grpc::ClientContext ctx;
      Authorize(&ctx, absl::Seconds(10));
      v1::SubscribeRequest req;
      req.set_after_sequence(position);
      req.add_types("registry.register");
      req.set_stop_at_head(true);
      auto reader = feed->Subscribe(&ctx, req);
      v1::SubscribeResponse msg;
      while (reader->Read(&msg)) {
        for (const v1::LedgerEntry& e : msg.entries()) {
          ids.insert(std::string(absl::StripPrefix(e.stream(), "enterprise/")));
        }
        position = msg.position();
      }
      if (!reader->Finish().ok()) {
        ++failures;
        node = (node + 1) % kNodes;
      }
      absl::SleepFor(absl::Milliseconds(50));
    }
    std::printf(
        "cluster: the feed read %zu registrations to position %llu; "
        "%d subscriptions failed and moved on\n",
        ids.size(), static_cast<unsigned long long>(position), failures);
    return ids;
  }

  std::unique_ptr<Cluster> cluster_;
  std::string token_;
  std::mutex channels_mu_;
  std::map<int, std::shared_ptr<grpc::Channel>> channels_;
};

TEST_F(ClusterE2eTest, ReadsOnAnyNodeSeeAWriteSentToAnother) {
  cluster_ = std::make_unique<ProcessCluster>();
  ReadAdminToken();
  int writer = -1;
  while ((writer = Writer()) < 0) absl::SleepFor(absl::Milliseconds(50));
  const int follower = (writer + 1) % kNodes;
  const int other = (writer + 2) % kNodes;

  // Sent to a follower: forwarded to the writer, answered once the
  // follower holds it.
  uint64_t sequence = 0;
  const std::string id = testing::MakeUscc("320505", "1000001");
  grpc::Status s = Register(follower, id, "k-1", &sequence);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_GT(sequence, 0u);
  v1::Enterprise e;
  ASSERT_TRUE(GetEnterprise(follower, id, &e).ok());
  EXPECT_EQ(e.id(), id);
  // On the third node, named by the position the answer carried.
  s = GetEnterprise(other, id, &e, sequence);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(e.id(), id);
  // A position no node holds yet: refused, saying how far it is.
  s = GetEnterprise(other, id, &e, sequence + 1000);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_NE(s.error_message().find("not yet"), std::string::npos)
      << s.error_message();
}

// Also: a feed subscriber reading from the writer when it dies resumes on
// another node from its last position, and receives every acknowledged
// write exactly once.
TEST_F(ClusterE2eTest, NoAcknowledgedWriteIsLostWhenTheWriterIsKilled) {
  cluster_ = std::make_unique<ProcessCluster>();
  ReadAdminToken();
  int first_writer;
  while ((first_writer = Writer()) < 0) absl::SleepFor(absl::Milliseconds(50));
  std::atomic<uint64_t> feed_until{0};
  std::multiset<std::string> fed;
  std::thread follower([&] { fed = FollowFeed(first_writer, &feed_until); });
  std::set<std::string> acknowledged = UnderLoad([&] {
    absl::SleepFor(absl::Seconds(3));
    const int writer = Writer();
    ASSERT_GE(writer, 0);
    cluster_->KillNode(writer);
    absl::SleepFor(absl::Seconds(3));
    cluster_->StartNode(writer);
    absl::SleepFor(absl::Seconds(3));
  });
  ASSERT_GT(acknowledged.size(), 20u);
  ExpectEveryNodeHolds(acknowledged);
  feed_until = TreeHead(0).tree_size();
  follower.join();
  for (const std::string& id : acknowledged) {
    EXPECT_EQ(fed.count(id), 1u) << id;
  }
  for (const std::string& id : fed) EXPECT_EQ(fed.count(id), 1u) << id;
}

// A writer frozen with SIGSTOP keeps its database session open, and with it
// the lock, as a writer cut off by a network partition does until TCP gives
// up (hours). Its lease lapses instead: another node ends its session and
// writes. Thawed, the old writer finds its session gone, steps down and
// follows; every write acknowledged by anyone is on every node once.
TEST_F(ClusterE2eTest, AFrozenWritersLeaseLapsesAndAnotherNodeWrites) {
  auto* cluster = new ProcessCluster();
  cluster_.reset(cluster);
  ReadAdminToken();
  while (Writer() < 0) absl::SleepFor(absl::Milliseconds(50));
  int frozen = -1;
  absl::Duration takeover;
  std::set<std::string> acknowledged = UnderLoad([&] {
    absl::SleepFor(absl::Seconds(2));
    frozen = Writer();
    ASSERT_GE(frozen, 0);
    cluster->Signal(frozen, SIGSTOP);
    const absl::Time at = absl::Now();
    int writer = frozen;
    while ((writer = Writer()) == frozen &&
           absl::Now() - at < absl::Seconds(30)) {
      absl::SleepFor(absl::Milliseconds(20));
    }
    takeover = absl::Now() - at;
    EXPECT_NE(writer, frozen) << "no node took over from the frozen writer";
    absl::SleepFor(absl::Seconds(3));  // writes go on without it
    cluster->Signal(frozen, SIGCONT);
    absl::SleepFor(absl::Seconds(3));
  });
  std::printf("cluster: the frozen writer's lock was taken after %s\n",
              absl::FormatDuration(takeover).c_str());
  ASSERT_GT(acknowledged.size(), 20u);
  EXPECT_NE(Writer(), frozen);
  EXPECT_NE(cluster->Stderr(frozen).find("no longer writes"), std::string::npos)
      << cluster->Stderr(frozen);
  ExpectEveryNodeHolds(acknowledged);
}

// A node joins from a checkpoint of a follower after the log was pruned
// behind it; a node that starts empty without one is told to join so, and
// never writes.
TEST_F(ClusterE2eTest, ANewNodeJoinsFromACheckpointAfterTheLogWasPruned) {
  ProcessCluster* cluster;
  int writer = StartProcesses(&cluster);
  const int follower = (writer + 1) % kNodes;
  for (int n = 0; n < 40; ++n) {
    const std::string id =
        testing::MakeUscc("320505", absl::StrCat(3000000 + n));
    ASSERT_TRUE(Register(n % kNodes, id, absl::StrCat("j-", n)).ok());
  }
  const uint64_t size = TreeHead(writer).tree_size();
  while (TreeHead(follower).tree_size() < size) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  // The log pruned through what the follower holds.
  v1::PruneLogRequest prune;
  prune.set_through_sequence(size);
  v1::PruneLogResponse pruned;
  {
    grpc::ClientContext ctx;
    Authorize(&ctx, absl::Seconds(10));
    grpc::Status s =
        v1::Node::NewStub(Channel(follower))->PruneLog(&ctx, prune, &pruned);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  EXPECT_GT(pruned.records_removed(), 0u);
  // More writes after the pruning, then a node joins from the follower.
  for (int n = 40; n < 50; ++n) {
    const std::string id =
        testing::MakeUscc("320505", absl::StrCat(3000000 + n));
    ASSERT_TRUE(Register(n % kNodes, id, absl::StrCat("j-", n)).ok());
  }
  testing::TempDir scratch;
  const std::string token_file = scratch.Sub("admin.token");
  std::ofstream(token_file) << token_ << "\n";
  const int joined =
      cluster->AddNode({"--join-from", cluster_->Address(follower),
                        "--join-token-file", token_file});
  const int empty = cluster->AddNode({});
  // The writer now (the lock may have moved since the start).
  while ((writer = Writer()) < 0) absl::SleepFor(absl::Milliseconds(50));
  const v1::SignedTreeHead want = TreeHead(writer);
  v1::SignedTreeHead got;
  for (int tries = 0; tries < 300; ++tries) {
    got = TreeHead(joined, /*may_fail=*/true);
    if (got.tree_size() >= want.tree_size()) break;
    absl::SleepFor(absl::Milliseconds(50));
  }
  EXPECT_EQ(got.tree_size(), want.tree_size());
  EXPECT_EQ(got.root_hash(), want.root_hash());
  EXPECT_NE(cluster->Stderr(joined).find("joining"), std::string::npos);
  // The joined node is a follower like the others.
  v1::GetNodeStatusResponse status;
  ASSERT_TRUE(NodeStatus(joined, &status));
  EXPECT_EQ(status.role(), "follower");
  EXPECT_NE(status.writer(), cluster_->Address(joined));
  EXPECT_GE(Writer(), 0);  // one of the first three
  // The empty node stays empty, saying why.
  for (int tries = 0; tries < 100; ++tries) {
    if (cluster->Stderr(empty).find("join again from a checkpoint") !=
        std::string::npos) {
      break;
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  EXPECT_NE(cluster->Stderr(empty).find("join again from a checkpoint"),
            std::string::npos)
      << cluster->Stderr(empty);
}

// A --follow-only node (a reporting replica, a national mirror) applies
// the log but never takes the writer's lock, even with no other node left.
TEST_F(ClusterE2eTest, AFollowOnlyNodeNeverWrites) {
  ProcessCluster* cluster;
  const int writer = StartProcesses(&cluster);
  const int mirror = cluster->AddNode({"--follow-only"});
  const std::string first = testing::MakeUscc("320505", "4000001");
  const std::string refused = testing::MakeUscc("320505", "4000002");
  const std::string later = testing::MakeUscc("320505", "4000003");
  uint64_t sequence = 0;
  ASSERT_TRUE(Register(writer, first, "f-1", &sequence).ok());
  // Reads on the mirror see the write (retried: a loaded machine may take
  // longer than one read's wait to start it).
  auto mirror_holds = [&](const std::string& id, uint64_t at) {
    grpc::Status s;
    v1::Enterprise e;
    for (int tries = 0; tries < 50; ++tries) {
      s = GetEnterprise(mirror, id, &e, at);
      if (s.ok()) return true;
      absl::SleepFor(absl::Milliseconds(100));
    }
    ADD_FAILURE() << id << ": " << s.error_message();
    return false;
  };
  EXPECT_TRUE(mirror_holds(first, sequence));
  for (int i = 0; i < kNodes; ++i) cluster_->KillNode(i);
  absl::SleepFor(absl::Seconds(2));  // eight lock checks of the mirror
  v1::GetNodeStatusResponse status;
  ASSERT_TRUE(NodeStatus(mirror, &status));
  EXPECT_EQ(status.role(), "follower");
  EXPECT_NE(status.writer(), cluster_->Address(mirror));
  EXPECT_FALSE(Register(mirror, refused, "f-2").ok());
  // A writer again: the mirror follows it; the refused write is nowhere.
  cluster_->StartNode(0);
  grpc::Status written;
  for (int tries = 0; tries < 200; ++tries) {  // until it takes the lock
    written = Register(0, later, "f-3", &sequence);
    if (written.ok()) break;
    absl::SleepFor(absl::Milliseconds(50));
  }
  ASSERT_TRUE(written.ok()) << written.error_message();
  EXPECT_TRUE(mirror_holds(later, sequence));
  v1::Enterprise e;
  EXPECT_EQ(GetEnterprise(0, refused, &e).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

// The read side on a node of its own (docs/CLUSTER.md, "Roles"): a
// follow-only node given --serve audit,flags,feed answers those from its
// copy of the province and lacks the rest.
// The pages on a province's cluster: cradle-gateway in front of a front in
// front of the three nodes (docs/WEB.md). A write over HTTP answers the
// position it reached (cradle-sequence); a read sent with that position
// (cradle-min-sequence) finds the write on whichever node the front picks.
// The writer killed, a new write goes through once another node writes,
// and the first one retried with its key is answered, not made twice.
TEST_F(ClusterE2eTest, PagesReachTheProvinceThroughTheGatewayAndAFront) {
  ProcessCluster* cluster;
  const int writer = StartProcesses(&cluster);
  std::vector<std::string> nodes;
  for (int i = 0; i < kNodes; ++i) nodes.push_back(cluster->Address(i));
  const std::string front_address = absl::StrCat("127.0.0.1:", FreePort());
  testing::Daemon front({CRADLE_CRADLED, "--front", absl::StrJoin(nodes, ","),
                         "--listen", front_address, "--insecure"});
  ASSERT_THAT(front.FirstLine(), HasSubstr("front listening"))
      << front.Stderr();
  const int http_port = FreePort();
  testing::Daemon gateway({CRADLE_GATEWAY, "--upstream", front_address,
                           "--listen", absl::StrCat("127.0.0.1:", http_port),
                           "--insecure"});
  ASSERT_THAT(gateway.FirstLine(), HasSubstr("serving")) << gateway.Stderr();
  httplib::Client http("127.0.0.1", http_port);
  http.set_read_timeout(30, 0);
  const std::string bearer = "Bearer " + token_;
  auto register_over_http = [&](const std::string& id, const std::string& key) {
    return http.Post(
        "/v1/enterprises", {{"Authorization", bearer}},
        absl::StrCat(R"({"meta":{"idempotencyKey":")", key, R"("},"id":")", id,
                     R"(","name":"网页企业","division":"320505",)"
                     R"("roles":["ROLE_GENERATOR"]})"),
        "application/json");
  };
  auto get_over_http = [&](const std::string& id, const std::string& at) {
    return http.Get(absl::StrCat("/v1/enterprises/", id).c_str(),
                    {{"Authorization", bearer}, {"cradle-min-sequence", at}});
  };

  const std::string id = testing::MakeUscc("320505", "5000001");
  httplib::Result res = register_over_http(id, "gw-1");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const std::string position = res->get_header_value("cradle-sequence");
  uint64_t at = 0;
  ASSERT_TRUE(absl::SimpleAtoi(position, &at))
      << "cradle-sequence: " << position;
  ASSERT_GT(at, 0u);
  // The front takes the nodes in turn: each read finds the write.
  for (int i = 0; i < 2 * kNodes; ++i) {
    res = get_over_http(id, position);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200) << res->body;
    uint64_t read_at = 0;
    EXPECT_TRUE(
        absl::SimpleAtoi(res->get_header_value("cradle-sequence"), &read_at));
    EXPECT_GE(read_at, at);
  }
  // A position no node holds: unavailable, saying how far they are.
  res = get_over_http(id, absl::StrCat(at + 1000000));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503) << res->body;
  EXPECT_THAT(res->body, HasSubstr("not yet"));
  // Not a position at all: refused by the gateway, naming the header.
  res = get_over_http(id, "soon");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400) << res->body;
  EXPECT_THAT(res->body, HasSubstr("cradle-min-sequence"));

  cluster->KillNode(writer);
  const std::string second = testing::MakeUscc("320505", "5000002");
  for (int tries = 0; tries < 300; ++tries) {
    res = register_over_http(second, "gw-2");
    if (res && res->status == 200) break;
    absl::SleepFor(absl::Milliseconds(200));
  }
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  res = register_over_http(id, "gw-1");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  // Made once: a new key for the same enterprise is refused.
  res = register_over_http(id, "gw-3");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 409) << res->body;
}

TEST_F(ClusterE2eTest, AReadSideNodeServesOnlyItsServices) {
  ProcessCluster* cluster;
  const int writer = StartProcesses(&cluster);
  const int audit =
      cluster->AddNode({"--follow-only", "--serve", "audit,flags,feed"});
  const std::string id = testing::MakeUscc("320505", "4000011");
  uint64_t sequence = 0;
  ASSERT_TRUE(Register(writer, id, "r-1", &sequence).ok());
  v1::SignedTreeHead head;
  for (int tries = 0; tries < 100; ++tries) {
    head = TreeHead(audit, /*may_fail=*/true);
    if (head.tree_size() >= sequence) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_GE(head.tree_size(), sequence);
  v1::Enterprise e;
  EXPECT_EQ(GetEnterprise(audit, id, &e).error_code(),
            grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_TRUE(GetEnterprise(writer, id, &e).ok());
  v1::GetNodeStatusResponse status;
  ASSERT_TRUE(NodeStatus(audit, &status));  // Node: every node's
  EXPECT_EQ(status.role(), "follower");
}

// The database's primary killed (its Patroni too, as when its machine
// dies), then the primary and the writer node together; Patroni promotes
// the synchronous standby, a node takes the writer's lock again.
TEST_F(ClusterE2eTest, NoAcknowledgedWriteIsLostWhenTheDatabasePrimaryDies) {
  auto patroni = std::make_unique<PatroniCluster>();
  PatroniCluster* cluster = patroni.get();
  cluster_ = std::move(patroni);
  ReadAdminToken();
  std::set<std::string> acknowledged = UnderLoad([&] {
    absl::SleepFor(absl::Seconds(3));
    int primary = cluster->PrimaryDb();
    ASSERT_GE(primary, 0);
    cluster->KillDb(primary);
    absl::SleepFor(absl::Seconds(20));
    cluster->StartDb(primary);
    while ((primary = cluster->PrimaryDb()) < 0) {
      absl::SleepFor(absl::Milliseconds(200));
    }
    const int writer = Writer();
    ASSERT_GE(writer, 0);
    cluster->KillDb(primary);
    cluster->KillNode(writer);
    absl::SleepFor(absl::Seconds(20));
    cluster->StartDb(primary);
    cluster->StartNode(writer);
    absl::SleepFor(absl::Seconds(5));
  });
  ASSERT_GT(acknowledged.size(), 20u);
  ExpectEveryNodeHolds(acknowledged);
}

}  // namespace
}  // namespace cradle
