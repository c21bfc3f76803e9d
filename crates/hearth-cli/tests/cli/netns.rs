//! Network tests stay on this machine: each one makes a network namespace
//! of its own holding only loopback (`unshare -n`, then `ip link set lo
//! up`), and runs every `hearth` of the test inside it (`nsenter`), so that
//! nothing can reach beyond the machine whatever the code does. Where the
//! machine does not allow namespaces (not root), the test says so and runs
//! on the machine's own network; every address it dials is then one it was
//! given by a process of the same test.

use crate::support::{Hearth, Journal, Run};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A loopback-only network namespace, held open by a sleeping process.
pub struct Netns {
    holder: Option<Child>,
}

impl Netns {
    pub fn new() -> Self {
        let holder = Command::new("unshare")
            .args([
                "-n",
                "--",
                "sh",
                "-c",
                "ip link set lo up && echo up && exec sleep 3600",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .ok()
            .and_then(|mut child| {
                let mut line = String::new();
                let out = child.stdout.take()?;
                BufReader::new(out).read_line(&mut line).ok()?;
                if line.trim() == "up" {
                    Some(child)
                } else {
                    let _ = child.kill();
                    let _ = child.wait();
                    None
                }
            });
        if holder.is_none() {
            eprintln!(
                "note: this machine does not allow a network namespace here; the test runs on loopback of the machine's own network"
            );
        }
        Self { holder }
    }

    /// Two namespaces joined by a virtual Ethernet cable and nothing else,
    /// as two machines on one home network: `10.77.0.1/24` and
    /// `10.77.0.2/24`, multicast routed onto the cable (for mDNS). `None`
    /// where the machine does not allow namespaces: a LAN cannot be made
    /// then, and the caller skips.
    pub fn lan() -> Option<(Self, Self)> {
        let (a, b) = (Self::new(), Self::new());
        let (ha, hb) = (a.holder.as_ref()?, b.holder.as_ref()?);
        let in_ns = |pid: u32, script: &str| {
            Command::new("nsenter")
                .args([
                    &format!("--net=/proc/{pid}/ns/net"),
                    "--",
                    "sh",
                    "-c",
                    script,
                ])
                .status()
                .is_ok_and(|s| s.success())
        };
        let cable = format!("ip link add hv0 type veth peer name hv1 netns {}", hb.id());
        let side = |dev: &str, addr: &str| {
            format!(
                "ip addr add {addr}/24 dev {dev} && ip link set {dev} multicast on && \
                 ip link set {dev} up && ip route add 224.0.0.0/4 dev {dev}"
            )
        };
        let made = in_ns(ha.id(), &cable)
            && in_ns(ha.id(), &side("hv0", "10.77.0.1"))
            && in_ns(hb.id(), &side("hv1", "10.77.0.2"));
        made.then_some((a, b))
    }

    /// `hearth --home HOME ARGS` for `journal`, inside the namespace.
    pub fn hearth(&self, journal: &Journal, args: &[&str]) -> Hearth {
        let cmd = journal.cmd(args);
        match &self.holder {
            Some(h) => cmd.wrap(
                "nsenter",
                &[format!("--net=/proc/{}/ns/net", h.id()), "--".into()],
            ),
            None => cmd,
        }
    }

    #[track_caller]
    pub fn ok(&self, journal: &Journal, args: &[&str]) -> Run {
        self.hearth(journal, args).run().ok()
    }

    #[track_caller]
    pub fn fails(&self, journal: &Journal, args: &[&str]) -> Run {
        self.hearth(journal, args).run().fails()
    }

    /// Start a long-running `hearth` (serve, pair invite) in the namespace.
    pub fn spawn(&self, journal: &Journal, args: &[&str]) -> Background {
        Background::start(self.hearth(journal, args))
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        if let Some(h) = &mut self.holder {
            let _ = h.kill();
            let _ = h.wait();
        }
    }
}

/// A `hearth` running in the background, its stdout read line by line.
pub struct Background {
    child: Child,
    lines: mpsc::Receiver<String>,
    stderr: mpsc::Receiver<String>,
}

impl Background {
    fn start(hearth: Hearth) -> Self {
        let mut child = hearth.spawn();
        let (tx, lines) = mpsc::channel();
        let out = child.stdout.take().expect("stdout is piped");
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        let (etx, stderr) = mpsc::channel();
        let err = child.stderr.take().expect("stderr is piped");
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                if etx.send(line).is_err() {
                    return;
                }
            }
        });
        Self {
            child,
            lines,
            stderr,
        }
    }

    /// The next line of stdout as JSON; panics with what it printed if none
    /// comes within `wait`.
    #[track_caller]
    pub fn json_line(&mut self, wait: Duration) -> serde_json::Value {
        match self.lines.recv_timeout(wait) {
            Ok(line) => serde_json::from_str(&line)
                .unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}")),
            Err(_) => panic!(
                "no line from the background hearth within {wait:?}; stderr: {:?}",
                self.stderr.try_iter().collect::<Vec<_>>()
            ),
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Wait for it to exit; its status code and what is left of stdout.
    pub fn finish(mut self, wait: Duration) -> (Option<i32>, Vec<String>, Vec<String>) {
        let deadline = Instant::now() + wait;
        let code = loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                break status.code();
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                break self.child.wait().ok().and_then(|s| s.code());
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        std::thread::sleep(Duration::from_millis(50));
        let out = self.lines.try_iter().collect();
        let err = self.stderr.try_iter().collect();
        (code, out, err)
    }

    /// Stop it as Ctrl-C would.
    pub fn stop(self) -> (Option<i32>, Vec<String>, Vec<String>) {
        let _ = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status();
        self.finish(Duration::from_secs(10))
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Poll `check` until it holds or `wait` passes; whether it held. For
/// waiting on another process, never for timing one.
pub fn eventually(wait: Duration, mut check: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + wait;
    while Instant::now() < deadline {
        if check() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    check()
}
