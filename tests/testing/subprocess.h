#pragma once

// Runs the real binaries for end-to-end tests.

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

namespace cradle::testing {

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

namespace internal {
inline std::string ReadAll(int fd) {
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, n);
  return out;
}

inline pid_t Spawn(const std::vector<std::string>& argv, int out_fd,
                   int err_fd) {
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out_fd, STDOUT_FILENO);
    dup2(err_fd, STDERR_FILENO);
    std::vector<char*> args;
    for (const std::string& a : argv)
      args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  return pid;
}
}  // namespace internal

// Runs `argv` to completion; stdout and stderr go through files so a large
// output cannot dead-lock the pipe.
inline RunResult Run(const std::vector<std::string>& argv) {
  FILE* out = std::tmpfile();
  FILE* err = std::tmpfile();
  RunResult r;
  pid_t pid = internal::Spawn(argv, fileno(out), fileno(err));
  int status = 0;
  waitpid(pid, &status, 0);
  r.exit_code =
      WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  lseek(fileno(out), 0, SEEK_SET);
  lseek(fileno(err), 0, SEEK_SET);
  r.out = internal::ReadAll(fileno(out));
  r.err = internal::ReadAll(fileno(err));
  std::fclose(out);
  std::fclose(err);
  return r;
}

// A long-running child whose first stdout line is read back.
class Daemon {
 public:
  explicit Daemon(const std::vector<std::string>& argv) {
    int fds[2];
    if (pipe(fds) != 0) return;
    err_ = std::tmpfile();
    pid_ = internal::Spawn(argv, fds[1], fileno(err_));
    close(fds[1]);
    out_fd_ = fds[0];
  }
  ~Daemon() {
    Kill(SIGKILL);
    if (out_fd_ >= 0) close(out_fd_);
    if (err_ != nullptr) std::fclose(err_);
  }
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // The first line it prints, without the newline; empty if it died first.
  std::string FirstLine() {
    std::string line;
    char c;
    while (read(out_fd_, &c, 1) == 1 && c != '\n') line.push_back(c);
    return line;
  }
  // Sends `sig` without waiting (SIGSTOP, SIGCONT).
  void Signal(int sig) {
    if (pid_ > 0) kill(pid_, sig);
  }
  // Sends `sig` and reaps; returns the wait status.
  int Kill(int sig) {
    if (pid_ <= 0) return -1;
    kill(pid_, sig);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }
  std::string Stderr() {
    if (err_ == nullptr) return "";
    lseek(fileno(err_), 0, SEEK_SET);
    return internal::ReadAll(fileno(err_));
  }

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  FILE* err_ = nullptr;
};

}  // namespace cradle::testing
