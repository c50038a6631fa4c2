#pragma once

// The servers' way with SIGINT and SIGTERM: blocked in every thread, taken
// by one thread with sigwait, never by a handler.

#include <signal.h>

namespace cradle {

// Blocks SIGINT and SIGTERM in the calling thread and the threads it
// starts afterwards; returns the set to sigwait on. Call first in main.
inline sigset_t BlockStopSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

}  // namespace cradle
