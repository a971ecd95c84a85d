# Rust components the checks need.
rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt >/dev/null
rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy >/dev/null
