//! Windows Defender Firewall, by PowerShell (`New-NetFirewallRule`) and,
//! for older habits and scripts, by `netsh advfirewall`. Windows allows
//! what its own inbound rules allow (file sharing, remote assistance), so
//! a default deny means turning those off too: the script keeps their
//! names to turn them on again, and its own rules live in one group,
//! `Portcullis`, removed in one command.

use portcullis_model::compliance::RulesetFile;
use portcullis_model::scan::Protocol;

use super::{Allow, CONFIRM_SECONDS, Plan, file, joined};

const POWERSHELL: &str = "portcullis-firewall.ps1";
const NETSH: &str = "portcullis-firewall-netsh.cmd";
const ROLLBACK: &str = "portcullis-rollback.ps1";
const DISABLED: &str = "portcullis-disabled-rules.txt";
/// The name of every rule the netsh script adds.
const NETSH_RULE: &str = "Portcullis";

pub(super) fn write(plan: &Plan) -> (Vec<RulesetFile>, String, String) {
    let rollback = format!(
        "$ErrorActionPreference = 'Stop'
Get-NetFirewallRule -Group 'Portcullis' -ErrorAction SilentlyContinue | Remove-NetFirewallRule
if (Test-Path '{DISABLED}') {{
    Get-Content '{DISABLED}' | ForEach-Object {{ Enable-NetFirewallRule -Name $_ }}
}}
"
    );
    let files = vec![
        file(POWERSHELL, powershell(plan)),
        file(NETSH, netsh(plan)),
        file(ROLLBACK, rollback.clone()),
    ];
    let apply = format!(
        "# In PowerShell, as Administrator, in the folder that holds the files:
$ErrorActionPreference = 'Stop'
& .\\{POWERSHELL}
Write-Host 'Applied. From a NEW window, check that you can still connect to this computer,'
Write-Host 'then type yes here within {CONFIRM_SECONDS} seconds to keep it. Otherwise it is undone.'
$deadline = (Get-Date).AddSeconds({CONFIRM_SECONDS})
while ((Get-Date) -lt $deadline -and -not [Console]::KeyAvailable) {{ Start-Sleep -Milliseconds 200 }}
$answer = if ([Console]::KeyAvailable) {{ Read-Host }} else {{ '' }}
if ($answer -eq 'yes') {{
    Write-Host 'Kept.'
}} else {{
    & .\\{ROLLBACK}
    Write-Host 'Not confirmed: undone.'
}}
"
    );
    (files, apply, format!("& .\\{ROLLBACK}\n"))
}

fn powershell(plan: &Plan) -> String {
    let mut text = plan.header("#", "the inbound firewall (Windows, PowerShell)");
    text += "# Run in PowerShell as Administrator.\n";
    text += "$ErrorActionPreference = 'Stop'\n";
    text += "# Portcullis's own rules from before go; so do the other inbound allow rules,\n";
    text += &format!("# whose names are kept in {DISABLED} to turn them on again.\n");
    text += "Get-NetFirewallRule -Group 'Portcullis' -ErrorAction SilentlyContinue | Remove-NetFirewallRule\n";
    text += &format!(
        "$others = @(Get-NetFirewallRule -Direction Inbound -Action Allow -Enabled True | Where-Object {{ $_.Group -ne 'Portcullis' }})
$others | ForEach-Object {{ $_.Name }} | Set-Content -Path '{DISABLED}'
$others | Disable-NetFirewallRule
"
    );
    for protocol in [Protocol::Tcp, Protocol::Udp] {
        for allow in plan.ports(protocol) {
            let upper = protocol.as_str().to_ascii_uppercase();
            text += &format!(
                "# {}\nNew-NetFirewallRule -Group 'Portcullis' -DisplayName 'Portcullis: {}/{} (inventory entry {})' -Direction Inbound -Protocol {upper} -LocalPort {}{} -Action Allow -Profile Any | Out-Null\n",
                allow.comment(),
                allow.port,
                protocol.as_str(),
                allow.entry.id,
                allow.port,
                remote(allow, " -RemoteAddress ")
            );
        }
    }
    text += "Set-NetFirewallProfile -Profile Domain,Private,Public -Enabled True -DefaultInboundAction Block -DefaultOutboundAction Allow\n";
    text
}

fn netsh(plan: &Plan) -> String {
    let mut text = String::from("@echo off\n");
    text += &plan.header("rem", "the inbound firewall (Windows, netsh)");
    text += "rem Run in a Command Prompt as Administrator. It adds the approved ports and blocks\n";
    text += "rem the rest by default; inbound rules Windows or other programs added stay on:\n";
    text += "rem the PowerShell script turns those off too. Every rule it adds is named\n";
    text += "rem Portcullis, so that one command removes them all.\n";
    text += &format!("netsh advfirewall firewall delete rule name=\"{NETSH_RULE}\" >nul 2>&1\n");
    for protocol in [Protocol::Tcp, Protocol::Udp] {
        for allow in plan.ports(protocol) {
            let upper = protocol.as_str().to_ascii_uppercase();
            text += &format!(
                "rem {}\nnetsh advfirewall firewall add rule name=\"{NETSH_RULE}\" description=\"{}/{}, inventory entry {}\" dir=in action=allow protocol={upper} localport={}{} profile=any\n",
                allow.comment(),
                allow.port,
                protocol.as_str(),
                allow.entry.id,
                allow.port,
                remote(allow, " remoteip=")
            );
        }
    }
    text += "netsh advfirewall set allprofiles state on\n";
    text += "netsh advfirewall set allprofiles firewallpolicy blockinbound,allowoutbound\n";
    text.lines().map(inert_in_cmd).collect()
}

/// The remote addresses an allow rule is limited to, after `option`;
/// nothing when it is open to anywhere.
fn remote(allow: &Allow, option: &str) -> String {
    if allow.is_restricted() {
        format!("{option}{}", joined(allow.sources(), ","))
    } else {
        String::new()
    }
}

/// A line of the cmd script with what cmd expands or redirects even on a
/// `rem` line (`%` variables, `^`, `&`, `|`, `<`, `>`) taken out of what
/// a person typed: only the comment lines carry such text.
fn inert_in_cmd(line: &str) -> String {
    match line.strip_prefix("rem ") {
        Some(comment) => {
            let comment: String = comment
                .chars()
                .map(|c| if "%^&|<>".contains(c) { ' ' } else { c })
                .collect();
            format!("rem {comment}\r\n")
        }
        None => format!("{line}\r\n"),
    }
}
