//! Cloud firewalls, by each provider's command-line tool: AWS security
//! groups, Azure network security groups, Google Cloud firewall rules and
//! DigitalOcean cloud firewalls. Each is a script that creates a firewall
//! named after the system, allows the approved ports from anywhere and
//! puts the system behind it; the machine's own firewall is another
//! matter (the Linux or Windows formats).
//!
//! What only the merchant knows (the instance, the resource group) is a
//! variable at the top of the script, which stops with a plain message
//! while one is empty.

use portcullis_model::compliance::RulesetFile;
use portcullis_model::scan::Protocol;

use super::{Allow, Plan, confirm_or_undo, file, joined};

/// A cloud provider's firewall.
#[derive(Clone, Copy)]
pub(super) enum Cloud {
    Aws,
    Azure,
    Gcp,
    DigitalOcean,
}

pub(super) fn write(plan: &Plan, cloud: Cloud) -> (Vec<RulesetFile>, String, String) {
    let name = resource_name(plan);
    let (file_name, body, rollback) = match cloud {
        Cloud::Aws => (
            "portcullis-aws.sh",
            aws(plan, &name),
            AWS_ROLLBACK.to_owned(),
        ),
        Cloud::Azure => (
            "portcullis-azure.sh",
            azure(plan, &name),
            AZURE_ROLLBACK.to_owned(),
        ),
        Cloud::Gcp => (
            "portcullis-gcp.sh",
            gcp(plan, &name),
            gcp_rollback(plan, &name),
        ),
        Cloud::DigitalOcean => (
            "portcullis-digitalocean.sh",
            digitalocean(plan, &name),
            DIGITALOCEAN_ROLLBACK.to_owned(),
        ),
    };
    let mut text = String::from("#!/bin/sh\n");
    text += &plan.header("#", cloud.what());
    text += "set -eu\n";
    text += &body;
    let apply = format!("set -eu\nsh {file_name}\n{}", confirm_or_undo(&rollback));
    (vec![file(file_name, text)], apply, rollback)
}

impl Cloud {
    fn what(self) -> &'static str {
        match self {
            Cloud::Aws => "the inbound firewall (an AWS security group)",
            Cloud::Azure => "the inbound firewall (an Azure network security group)",
            Cloud::Gcp => "the inbound firewall (Google Cloud firewall rules)",
            Cloud::DigitalOcean => "the inbound firewall (a DigitalOcean cloud firewall)",
        }
    }
}

/// `portcullis-<system name>` in the letters every provider accepts.
fn resource_name(plan: &Plan) -> String {
    let mut slug = String::new();
    for c in plan.system.name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug: String = slug.trim_end_matches('-').chars().take(40).collect();
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() {
        format!("portcullis-system-{}", plan.system.id)
    } else {
        format!("portcullis-{slug}")
    }
}

/// The variables the merchant fills in, each checked before anything runs.
fn variables(names: &[(&str, &str)]) -> String {
    let mut text = String::from("# Fill these in before running:\n");
    for (name, what) in names {
        text += &format!("{name}=\"\"  # {what}\n");
    }
    for (name, _) in names {
        text += &format!(": \"${{{name}:?fill in {name} at the top of this file}}\"\n");
    }
    text
}

fn comment(allow: &Allow) -> String {
    format!("# {}\n", allow.comment())
}

const DIGITALOCEAN_ROLLBACK: &str =
    "doctl compute firewall delete \"$(cat portcullis-firewall.id)\" --force\n";

const AWS_ROLLBACK: &str = "aws ec2 modify-instance-attribute --instance-id \"$(cat portcullis-instance.id)\" --groups $(cat portcullis-groups.previous)
aws ec2 delete-security-group --group-id \"$(cat portcullis-group.id)\"
";

fn aws(plan: &Plan, name: &str) -> String {
    let mut text = variables(&[
        (
            "INSTANCE_ID",
            "the instance, as the EC2 console's Instances page shows it (i-...)",
        ),
        ("VPC_ID", "the instance's VPC (vpc-...)"),
    ]);
    text += "echo \"$INSTANCE_ID\" > portcullis-instance.id\n";
    text += "# The groups the instance has now, to put back.\n";
    text += "aws ec2 describe-instances --instance-ids \"$INSTANCE_ID\" --query 'Reservations[0].Instances[0].SecurityGroups[].GroupId' --output text > portcullis-groups.previous\n";
    text += &format!(
        "SG=$(aws ec2 create-security-group --group-name {name} --description 'Inbound ports approved in the Portcullis inventory' --vpc-id \"$VPC_ID\" --query GroupId --output text)\necho \"$SG\" > portcullis-group.id\n"
    );
    for allow in &plan.allows {
        text += &comment(allow);
        let (v4, v6) = families(allow);
        let description = format!("Description=inventory entry {}", allow.entry.id);
        let mut ranges = Vec::new();
        if !v4.is_empty() {
            let blocks: Vec<String> = v4
                .iter()
                .map(|block| format!("{{CidrIp={block},{description}}}"))
                .collect();
            ranges.push(format!("IpRanges=[{}]", blocks.join(",")));
        }
        if !v6.is_empty() {
            let blocks: Vec<String> = v6
                .iter()
                .map(|block| format!("{{CidrIpv6={block},{description}}}"))
                .collect();
            ranges.push(format!("Ipv6Ranges=[{}]", blocks.join(",")));
        }
        text += &format!(
            "aws ec2 authorize-security-group-ingress --group-id \"$SG\" --ip-permissions 'IpProtocol={p},FromPort={port},ToPort={port},{ranges}'\n",
            p = allow.protocol.as_str(),
            port = allow.port,
            ranges = ranges.join(",")
        );
    }
    text += "# Security groups deny what they do not allow; the instance keeps only this one.\n";
    text += "aws ec2 modify-instance-attribute --instance-id \"$INSTANCE_ID\" --groups \"$SG\"\n";
    text
}

const AZURE_ROLLBACK: &str = "if [ -s portcullis-nsg.previous ]; then
    az network nic update --ids \"$(cat portcullis-nic.id)\" --network-security-group \"$(cat portcullis-nsg.previous)\"
else
    az network nic update --ids \"$(cat portcullis-nic.id)\" --remove networkSecurityGroup
fi
az network nsg delete --ids \"$(cat portcullis-nsg.id)\"
";

fn azure(plan: &Plan, name: &str) -> String {
    let mut text = variables(&[
        (
            "RESOURCE_GROUP",
            "the resource group the virtual machine is in",
        ),
        (
            "NIC_ID",
            "the id of the machine's network interface (its Networking page)",
        ),
    ]);
    text += "echo \"$NIC_ID\" > portcullis-nic.id\n";
    text += "az network nic show --ids \"$NIC_ID\" --query networkSecurityGroup.id --output tsv > portcullis-nsg.previous\n";
    text += &format!(
        "az network nsg create --resource-group \"$RESOURCE_GROUP\" --name {name} --query NewNSG.id --output tsv > portcullis-nsg.id\n"
    );
    for (index, allow) in plan.allows.iter().enumerate() {
        text += &comment(allow);
        text += &format!(
            "az network nsg rule create --resource-group \"$RESOURCE_GROUP\" --nsg-name {name} --name allow-{port}-{p} --priority {priority} --direction Inbound --access Allow --protocol {protocol} --source-address-prefixes {from} --destination-port-ranges {port} --description 'inventory entry {id}'\n",
            port = allow.port,
            p = allow.protocol.as_str(),
            priority = 100 + index * 10,
            protocol = title(allow.protocol),
            from = if allow.is_restricted() {
                joined(allow.sources(), " ")
            } else {
                "'*'".to_owned()
            },
            id = allow.entry.id
        );
    }
    text += "# Azure's own default rules let in what comes from the virtual network and\n";
    text += "# the load balancer; this denies everything the rules above do not allow.\n";
    text += &format!(
        "az network nsg rule create --resource-group \"$RESOURCE_GROUP\" --nsg-name {name} --name deny-everything-else --priority 4096 --direction Inbound --access Deny --protocol '*' --source-address-prefixes '*' --destination-port-ranges '*'\n"
    );
    text += &format!("az network nic update --ids \"$NIC_ID\" --network-security-group {name}\n");
    text
}

fn gcp_rollback(plan: &Plan, name: &str) -> String {
    let mut rules: Vec<String> = gcp_allow_rules(plan, name)
        .into_iter()
        .map(|rule| rule.name)
        .collect();
    rules.push(format!("{name}-deny"));
    format!(
        "gcloud compute instances remove-tags \"$(cat portcullis-instance.id)\" --zone \"$(cat portcullis-zone.id)\" --tags {name}\ngcloud compute firewall-rules delete {} --quiet\n",
        rules.join(" ")
    )
}

/// One Google Cloud allow rule: its name, its `--rules` and its
/// `--source-ranges`.
struct GcpRule {
    name: String,
    rules: String,
    sources: String,
}

/// The ports open to anywhere share one rule; each port limited to some
/// sources has its own, per address family, as a rule takes one family.
fn gcp_allow_rules(plan: &Plan, name: &str) -> Vec<GcpRule> {
    let open: Vec<String> = plan
        .allows
        .iter()
        .filter(|allow| !allow.is_restricted())
        .map(|allow| format!("{}:{}", allow.protocol.as_str(), allow.port))
        .collect();
    let mut rules = Vec::new();
    if !open.is_empty() {
        rules.push(GcpRule {
            name: format!("{name}-allow"),
            rules: open.join(","),
            sources: "0.0.0.0/0".to_owned(),
        });
    }
    for allow in plan.allows.iter().filter(|allow| allow.is_restricted()) {
        let (p, port) = (allow.protocol.as_str(), allow.port);
        for (suffix, sources) in [("", allow.v4_sources()), ("-v6", allow.v6_sources())] {
            if !sources.is_empty() {
                rules.push(GcpRule {
                    name: format!("{name}-allow-{port}-{p}{suffix}"),
                    rules: format!("{p}:{port}"),
                    sources: joined(&sources, ","),
                });
            }
        }
    }
    rules
}

fn gcp(plan: &Plan, name: &str) -> String {
    let mut text = variables(&[
        ("INSTANCE", "the VM instance's name"),
        ("ZONE", "its zone (europe-west1-b)"),
        ("NETWORK", "its VPC network (default)"),
    ]);
    text += "echo \"$INSTANCE\" > portcullis-instance.id\necho \"$ZONE\" > portcullis-zone.id\n";
    for allow in &plan.allows {
        text += &comment(allow);
    }
    for rule in gcp_allow_rules(plan, name) {
        text += &format!(
            "gcloud compute firewall-rules create {} --network \"$NETWORK\" --direction INGRESS --action ALLOW --rules {} --source-ranges {} --target-tags {name} --priority 1000 --description 'Ports approved in the Portcullis inventory'\n",
            rule.name, rule.rules, rule.sources
        );
    }
    text += "# The default network's own rules (default-allow-ssh, default-allow-rdp, ...) come\n";
    text += "# at priority 65534: this denies everything else before them.\n";
    text += &format!(
        "gcloud compute firewall-rules create {name}-deny --network \"$NETWORK\" --direction INGRESS --action DENY --rules all --source-ranges 0.0.0.0/0 --target-tags {name} --priority 65000\n"
    );
    text += &format!(
        "gcloud compute instances add-tags \"$INSTANCE\" --zone \"$ZONE\" --tags {name}\n"
    );
    text
}

fn digitalocean(plan: &Plan, name: &str) -> String {
    let mut text = variables(&[(
        "DROPLET_ID",
        "the Droplet's id (its page in the control panel)",
    )]);
    for allow in &plan.allows {
        text += &comment(allow);
    }
    let inbound: Vec<String> = plan
        .allows
        .iter()
        .map(|allow| {
            let (v4, v6) = families(allow);
            let addresses: Vec<String> = v4
                .iter()
                .chain(&v6)
                .map(|block| format!("address:{block}"))
                .collect();
            format!(
                "protocol:{},ports:{},{}",
                allow.protocol.as_str(),
                allow.port,
                addresses.join(",")
            )
        })
        .collect();
    text +=
        "# A cloud firewall denies what it does not list, outbound too: everything may go out.\n";
    let inbound = if inbound.is_empty() {
        String::new()
    } else {
        format!(" --inbound-rules \"{}\"", inbound.join(" "))
    };
    text += &format!(
        "doctl compute firewall create --name {name}{inbound} --outbound-rules \"protocol:tcp,ports:all,address:0.0.0.0/0,address:::/0 protocol:udp,ports:all,address:0.0.0.0/0,address:::/0 protocol:icmp,address:0.0.0.0/0,address:::/0\" --droplet-ids \"$DROPLET_ID\" --format ID --no-header > portcullis-firewall.id\n"
    );
    text
}

/// The IPv4 and IPv6 blocks an allow rule admits: its sources, or
/// anywhere in both families.
fn families(allow: &Allow) -> (Vec<String>, Vec<String>) {
    if allow.is_restricted() {
        let text = |blocks: Vec<portcullis_model::IpNet>| {
            blocks.iter().map(ToString::to_string).collect::<Vec<_>>()
        };
        (text(allow.v4_sources()), text(allow.v6_sources()))
    } else {
        (vec!["0.0.0.0/0".to_owned()], vec!["::/0".to_owned()])
    }
}

fn title(protocol: Protocol) -> &'static str {
    match protocol {
        Protocol::Tcp => "Tcp",
        Protocol::Udp => "Udp",
    }
}
