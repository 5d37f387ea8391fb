//! Where the golden outputs of the Java reference live.

use std::path::PathBuf;

/// The `golden/` folder of the shared reference material: `$SLUICE_GOLDEN_DIR` if set, else
/// `shared/golden` beside the repository (where CI puts it). Panics with the places it looked
/// when the folder is absent: golden tests must never pass without their reference.
pub fn golden_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("SLUICE_GOLDEN_DIR") {
        let dir = PathBuf::from(dir);
        assert!(dir.is_dir(), "SLUICE_GOLDEN_DIR={} is not a directory", dir.display());
        return dir;
    }
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = workspace.join("../shared/golden");
    assert!(
        dir.is_dir(),
        "the golden reference outputs are not at {}: put the shared/ folder beside the repository \
         or set SLUICE_GOLDEN_DIR",
        dir.display()
    );
    dir
}

/// The path of `relative` inside [`golden_dir`].
pub fn golden(relative: &str) -> PathBuf {
    golden_dir().join(relative)
}
