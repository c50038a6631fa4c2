#include "base/sodium.h"

#include <sodium.h>

namespace cradle {

bool SodiumReady() {
  static const bool ready = sodium_init() >= 0;
  return ready;
}

}  // namespace cradle
