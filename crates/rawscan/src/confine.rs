//! Giving up every privilege the SYN scan does not need, first thing.

use caps::{CapSet, Capability, CapsHashSet};

/// Keeps CAP_NET_RAW (when the process has it) and nothing else: empties
/// the inheritable and ambient sets, reduces the bounding set when allowed
/// (as root), sets the effective and permitted sets to CAP_NET_RAW at
/// most, and forbids gaining privilege through any later exec. Before any
/// thread starts: capabilities belong to a thread, and the threads started
/// later inherit these.
pub fn drop_privileges() -> Result<(), String> {
    let fail = |what: &str, error: caps::errors::CapsError| format!("{what}: {error}");
    let permitted = caps::read(None, CapSet::Permitted).map_err(|e| fail("reading", e))?;
    let mut keep = CapsHashSet::new();
    if permitted.contains(&Capability::CAP_NET_RAW) {
        keep.insert(Capability::CAP_NET_RAW);
    }
    if caps::runtime::ambient_set_supported().is_ok() {
        caps::clear(None, CapSet::Ambient).map_err(|e| fail("ambient", e))?;
    }
    caps::clear(None, CapSet::Inheritable).map_err(|e| fail("inheritable", e))?;
    if permitted.contains(&Capability::CAP_SETPCAP) {
        for capability in caps::runtime::thread_all_supported() {
            if capability != Capability::CAP_NET_RAW {
                caps::drop(None, CapSet::Bounding, capability).map_err(|e| fail("bounding", e))?;
            }
        }
    }
    caps::set(None, CapSet::Effective, &keep).map_err(|e| fail("effective", e))?;
    caps::set(None, CapSet::Permitted, &keep).map_err(|e| fail("permitted", e))?;
    nix::sys::prctl::set_no_new_privs().map_err(|e| format!("no_new_privs: {e}"))?;
    let left = caps::read(None, CapSet::Permitted).map_err(|e| fail("reading", e))?;
    if left.iter().any(|c| *c != Capability::CAP_NET_RAW) {
        return Err(format!("still holds {left:?}"));
    }
    Ok(())
}
