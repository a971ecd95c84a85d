# Prerequisites of the sample apps' check (scripts/checks/40-samples.sh), beyond what
# scripts/deps/30-bindings.sh installs (kotlinc from npm, JNA, JUnit 4, tree-sitter + Swift):
# the Kotlin grammar for tree-sitter, to syntax-check the Android app's Compose sources, which
# cannot be compiled here (no Android SDK). Idempotent.
pip_install tree-sitter==0.26.1 tree-sitter-kotlin==1.1.0
