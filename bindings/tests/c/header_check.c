/* Compiled by scripts/checks/30-bindings-swift.sh with gcc -Werror: the generated C header
 * (SmartEnrollFFI.h, the Swift module's FFI surface) must be valid C11 on its own, included
 * twice (include guard), with its ABI structs laid out as the Rust side expects on LP64. */
#include "SmartEnrollFFI.h"
#include "SmartEnrollFFI.h"
#include <stddef.h>

_Static_assert(sizeof(RustBuffer) == 24, "RustBuffer is {u64 capacity, u64 len, u8* data}");
_Static_assert(offsetof(RustBuffer, data) == 16, "RustBuffer.data offset");
_Static_assert(sizeof(ForeignBytes) == 16, "ForeignBytes is {i32 len, const u8* data}");
_Static_assert(offsetof(RustCallStatus, errorBuf) == 8, "RustCallStatus.errorBuf offset");

int main(void) {
    /* Referencing a generated entry point proves the prototypes are usable declarations. */
    RustBuffer (*version)(RustCallStatus *) = uniffi_smart_enroll_ffi_fn_func_sdk_version;
    return version == NULL;
}
