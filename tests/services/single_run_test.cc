#include "services/single_run.h"

#include <atomic>
#include <memory>
#include <thread>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace cradle::services {
namespace {

TEST(SingleRunTest, OneRunAtATime) {
  SingleRun run;
  EXPECT_TRUE(run.TryStart());
  EXPECT_FALSE(run.TryStart());
  run.Done();
  EXPECT_TRUE(run.TryStart());
  run.Done();
}

// What a service's deep verification needs at shutdown: the service is not
// destroyed under a worker that is still finishing (the use-after-free an
// integrity test met about once in forty runs).
TEST(SingleRunTest, DestructionWaitsForTheRunningWorker) {
  auto run = std::make_unique<SingleRun>();
  ASSERT_TRUE(run->TryStart());
  std::atomic<bool> worker_done{false};
  SingleRun* raw = run.get();
  std::thread worker([raw, &worker_done] {
    absl::SleepFor(absl::Milliseconds(100));
    worker_done.store(true);
    raw->Done();
  });
  run.reset();  // waits for Done()
  EXPECT_TRUE(worker_done.load());
  worker.join();
}

TEST(SingleRunTest, DestructionDoesNotWaitWhenIdle) {
  auto run = std::make_unique<SingleRun>();
  ASSERT_TRUE(run->TryStart());
  run->Done();
  run.reset();  // returns at once; a hang fails the test by its timeout
  SUCCEED();
}

}  // namespace
}  // namespace cradle::services
