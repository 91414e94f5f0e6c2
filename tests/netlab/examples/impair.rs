//! `cargo run -p portcullis-netlab --example impair -- LOSS% DELAY_MS`:
//! impairs the running netlab's links by hand (`repair` to undo), to try a
//! scan on a lossy, slow network.

fn main() -> anyhow::Result<()> {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    match arguments.as_slice() {
        [word] if word == "repair" => portcullis_netlab::repair(),
        [loss, delay] => {
            let delayer = std::env::current_exe()?
                .parent()
                .and_then(|examples| examples.parent())
                .map(|profile| profile.join("netlab-delayer"))
                .ok_or_else(|| anyhow::anyhow!("cannot find netlab-delayer"))?;
            portcullis_netlab::impair(loss.parse()?)?;
            portcullis_netlab::delay(&delayer, delay.parse()?)
        }
        _ => anyhow::bail!("usage: impair LOSS_PERCENT DELAY_MS | impair repair"),
    }
}
