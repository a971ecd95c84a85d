//! `smart-enroll setup` (not implemented yet).

#[derive(clap::Args)]
pub struct Args {}

pub async fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`smart-enroll setup` is not implemented yet")
}
