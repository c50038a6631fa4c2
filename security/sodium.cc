#include "security/sodium.h"

#include <sodium.h>

namespace cradle::security {

bool SodiumReady() {
  static const bool ready = sodium_init() >= 0;
  return ready;
}

}  // namespace cradle::security
