//! The `hearth-desktop` program: opens the Hearth window.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    #[cfg(target_os = "linux")]
    shared_memory_rendering();
    if let Err(e) = hearth_desktop::run() {
        eprintln!("hearth-desktop: {e}");
        std::process::exit(1);
    }
}

/// WebKitGTK's DMA-BUF renderer is very slow where there is no GPU for it
/// (virtual machines, remote desktops, Xvfb): measured here, a first paint of
/// the journal took about 500 ms with it and 60 ms without. The variable must
/// be set before GTK starts and setting it in-process needs `unsafe`, so the
/// program starts itself again with it (same pid, same arguments). A person
/// who sets the variable, to any value, keeps their choice.
#[cfg(target_os = "linux")]
fn shared_memory_rendering() {
    use std::os::unix::process::CommandExt;
    const VAR: &str = "WEBKIT_DISABLE_DMABUF_RENDERER";
    if std::env::var_os(VAR).is_some() {
        return;
    }
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    let mut args = std::env::args_os();
    let mut cmd = std::process::Command::new(exe);
    if let Some(arg0) = args.next() {
        cmd.arg0(arg0);
    }
    let err = cmd.args(args).env(VAR, "1").exec();
    eprintln!("hearth-desktop: could not restart with {VAR}=1 ({err}); going on without it");
}
