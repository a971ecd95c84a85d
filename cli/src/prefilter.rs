//! `smart-enroll prefilter` (not implemented yet).

#[derive(clap::Args)]
pub struct Args {}

pub async fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`smart-enroll prefilter` is not implemented yet")
}
