//! Finding the labs: every `labs/NN-slug` folder is one lab, its package
//! name is in its Cargo.toml, and its checks are the test functions of its
//! `tests/grade.rs`, in order.

use std::path::{Path, PathBuf};

/// The workbook checkout the runner was built from.
pub struct Workbook {
    pub root: PathBuf,
    pub labs: Vec<Lab>,
}

/// One lab crate.
pub struct Lab {
    pub number: u32,
    /// The folder name, e.g. `02-bind-listen-accept`.
    pub folder: String,
    pub dir: PathBuf,
    /// The cargo package name, e.g. `lab-02-bind-listen-accept`.
    pub package: String,
}

impl Workbook {
    /// The workbook this runner was built from.
    pub fn open() -> Result<Workbook, String> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("the runner lives one folder below the workbook")
            .to_path_buf();
        Workbook::at(root)
    }

    /// The workbook checked out at `root` (a learner's, when a teacher grades).
    pub fn at(root: PathBuf) -> Result<Workbook, String> {
        let entries = std::fs::read_dir(root.join("labs"))
            .map_err(|e| format!("cannot read {}: {e}", root.join("labs").display()))?;
        let mut labs = Vec::new();
        for entry in entries.flatten() {
            let folder = entry.file_name().to_string_lossy().into_owned();
            let Some(number) = folder.split('-').next().and_then(|n| n.parse().ok()) else {
                continue;
            };
            let dir = entry.path();
            let package = package_name(&dir.join("Cargo.toml"))?;
            labs.push(Lab {
                number,
                folder,
                dir,
                package,
            });
        }
        labs.sort_by_key(|lab| lab.number);
        Ok(Workbook { root, labs })
    }

    /// The lab called `number` ("2", "02" and "2-..." all name lab 2).
    pub fn lab(&self, number: &str) -> Result<&Lab, String> {
        let wanted: u32 = number
            .split('-')
            .next()
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| format!("{number:?} is not a lab number; try `cargo lab list`"))?;
        self.labs
            .iter()
            .find(|lab| lab.number == wanted)
            .ok_or_else(|| format!("there is no lab {wanted}; try `cargo lab list`"))
    }

    /// Where the runner keeps what it remembers (results, hints shown,
    /// backups): `.socklab/` in the working copy, which git ignores.
    pub fn state_dir(&self) -> PathBuf {
        self.root.join(".socklab")
    }
}

impl Lab {
    /// "bind listen accept" for `02-bind-listen-accept`.
    pub fn title(&self) -> String {
        let slug = self.folder.split_once('-').map_or("", |(_, s)| s);
        slug.replace('-', " ")
    }

    /// The reference solution's folder, `solutions/NN-slug`.
    pub fn solution_dir(&self) -> PathBuf {
        self.dir
            .parent()
            .and_then(Path::parent)
            .map(|root| root.join("solutions").join(&self.folder))
            .unwrap_or_default()
    }

    /// The names of the checks, in the order `tests/grade.rs` lists them.
    pub fn checks(&self) -> Result<Vec<String>, String> {
        let path = self.dir.join("tests/grade.rs");
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Ok(text
            .lines()
            .filter_map(|line| line.trim().strip_prefix("fn "))
            .filter_map(|rest| rest.split('(').next())
            .map(str::to_string)
            .collect())
    }
}

fn package_name(manifest: &Path) -> Result<String, String> {
    let text = std::fs::read_to_string(manifest)
        .map_err(|e| format!("cannot read {}: {e}", manifest.display()))?;
    text.lines()
        .find_map(|line| line.trim().strip_prefix("name = "))
        .map(|name| name.trim_matches('"').to_string())
        .ok_or_else(|| format!("{} has no package name", manifest.display()))
}
