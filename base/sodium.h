#pragma once

// libsodium, started once for the whole process.

namespace cradle {

// sodium_init is idempotent and thread-safe; it fails only when the system
// gives it no randomness. Call it before any other libsodium function.
bool SodiumReady();

}  // namespace cradle
