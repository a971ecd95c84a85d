//! `smart-enroll demo` (not implemented yet).

#[derive(clap::Args)]
pub struct Args {}

pub async fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`smart-enroll demo` is not implemented yet")
}
