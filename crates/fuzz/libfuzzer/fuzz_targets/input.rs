//! The libFuzzer entry: the target named by `FUZZ_TARGET` (`scenario`, `config`, `share`,
//! `import`, `gpu`) on each input; a broken property panics, which libFuzzer saves as a crash.

#![no_main]

use fuzz::targets::Target;
use std::sync::OnceLock;

fn target() -> Target {
    static TARGET: OnceLock<Target> = OnceLock::new();
    *TARGET.get_or_init(|| {
        let name = std::env::var("FUZZ_TARGET").unwrap_or_default();
        Target::from_name(&name).unwrap_or_else(|| panic!("FUZZ_TARGET={name:?}: expected scenario, config, share, import or gpu"))
    })
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| target().assert_holds(data));
