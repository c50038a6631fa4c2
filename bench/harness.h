#pragma once

// What the benches that drive a cradled child process share: starting and
// stopping a server process, driving calls from client threads with their
// latency and CPU, and unified social credit codes for their parties.

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

#include "base/latency.h"
#include "domain/uscc.h"

namespace cradle::bench {

struct Result {
  double per_second = 0, p50 = 0, p99 = 0;
  double server_cpu_us = 0, client_cpu_us = 0;  // per call
  // The server's context switches (voluntary and not, all its threads)
  // per call.
  double server_switches = 0;
};

// CPU time (user + system) of this process, in microseconds.
inline double SelfCpuMicros() {
  rusage u;
  getrusage(RUSAGE_SELF, &u);
  return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e6 + u.ru_utime.tv_usec +
         u.ru_stime.tv_usec;
}

// CPU time of another process, from /proc (clock ticks), in microseconds.
inline double ProcessCpuMicros(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  std::string stat((std::istreambuf_iterator<char>(in)),
                   std::istreambuf_iterator<char>());
  // Fields after the parenthesised command name; utime and stime are the
  // 14th and 15th of the line.
  const size_t name_end = stat.rfind(')');
  if (name_end == std::string::npos || name_end + 2 > stat.size()) return 0;
  std::vector<std::string> f = absl::StrSplit(stat.substr(name_end + 2), ' ');
  double ticks = 0;
  if (f.size() > 12) {
    double u = 0, s = 0;
    if (absl::SimpleAtod(f[11], &u) && absl::SimpleAtod(f[12], &s)) {
      ticks = u + s;
    }
  }
  return ticks * 1e6 / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// Context switches of every thread of another process so far, voluntary
// and not, from /proc (a thread that has exited no longer counts).
inline double ProcessSwitches(pid_t pid) {
  double total = 0;
  std::error_code ec;
  for (const auto& task : std::filesystem::directory_iterator(
           absl::StrCat("/proc/", pid, "/task"), ec)) {
    std::ifstream in(task.path() / "status");
    std::string line;
    while (std::getline(in, line)) {
      absl::string_view v = line;
      if (absl::ConsumePrefix(&v, "voluntary_ctxt_switches:") ||
          absl::ConsumePrefix(&v, "nonvoluntary_ctxt_switches:")) {
        double n = 0;
        if (absl::SimpleAtod(absl::StripAsciiWhitespace(v), &n)) total += n;
      }
    }
  }
  return total;
}

// `server`: the process serving the calls, when it is not this one.
template <typename Op>
Result Drive(int clients, absl::Duration d, Op op, pid_t server = 0) {
  std::vector<cradle::Latencies> lat(clients);
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  const double self_before = SelfCpuMicros();
  const double server_before = server ? ProcessCpuMicros(server) : 0;
  const double switches_before = server ? ProcessSwitches(server) : 0;
  const absl::Time start = absl::Now();
  for (int t = 0; t < clients; ++t) {
    threads.emplace_back([&, t] {
      for (uint64_t i = 0; !stop.load(std::memory_order_relaxed); ++i) {
        const absl::Time before = absl::Now();
        if (!op(t, i)) {
          std::fprintf(stderr, "%s: a call failed\n",
                       program_invocation_short_name);
          std::exit(1);
        }
        lat[t].Add(absl::ToInt64Microseconds(absl::Now() - before));
      }
    });
  }
  absl::SleepFor(d);
  stop = true;
  for (auto& th : threads) th.join();
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  const double self_cpu = SelfCpuMicros() - self_before;
  const double server_cpu =
      server ? ProcessCpuMicros(server) - server_before : 0;
  const double server_switches =
      server ? ProcessSwitches(server) - switches_before : 0;
  cradle::Latencies all;
  for (auto& l : lat) all.Merge(l);
  const double n = static_cast<double>(std::max<uint64_t>(all.count(), 1));
  return Result{all.count() / seconds, all.Percentile(50), all.Percentile(99),
                server_cpu / n,        self_cpu / n,       server_switches / n};
}

inline std::string Uscc(const std::string& division, int n) {
  std::string first17 = absl::StrCat("91", division, "MA", 1000000 + n);
  first17.resize(17, '0');
  return first17 + *cradle::domain::UsccCheckCharacter(first17);
}

inline int Fail(pid_t server, const std::string& why) {
  std::fprintf(stderr, "%s: %s\n", program_invocation_short_name, why.c_str());
  kill(server, SIGTERM);
  waitpid(server, nullptr, 0);
  return 1;
}

struct Child {
  pid_t pid = 0;
  std::string address;  // 127.0.0.1:port
  int out = -1;         // the read end of its stdout, kept open until Stop
};

// Starts `args` with its stdout on a pipe and reads it up to the line that
// says "listening on 127.0.0.1:<port>". pid 0 when it does not.
inline Child StartServer(const std::vector<std::string>& args) {
  // Everything the child needs is made before fork(): this process has
  // threads, so the child may only exec.
  std::vector<char*> argv;
  for (const std::string& a : args) {
    argv.push_back(const_cast<char*>(a.c_str()));
  }
  argv.push_back(nullptr);
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return Child();  // not inherited further
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);  // the copy is not close-on-exec
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(fds[1]);
  // cradled's first start prints "administrator token written to" first.
  std::string line;
  while (line.find("listening on") == std::string::npos) {
    line.clear();
    char c;
    if (read(fds[0], &c, 1) != 1) break;
    do line.push_back(c);
    while (read(fds[0], &c, 1) == 1 && c != '\n');
  }
  const size_t at = line.find("127.0.0.1:");
  if (at == std::string::npos) {
    std::fprintf(stderr, "%s: cannot start %s\n", program_invocation_short_name,
                 args[0].c_str());
    kill(pid, SIGTERM);
    waitpid(pid, nullptr, 0);
    close(fds[0]);
    return Child();
  }
  return Child{pid, line.substr(at, line.find_first_of(" \n", at) - at),
               fds[0]};
}

inline void Stop(const Child& child) {
  kill(child.pid, SIGTERM);
  waitpid(child.pid, nullptr, 0);
  close(child.out);
}

}  // namespace cradle::bench
