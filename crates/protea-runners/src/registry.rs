//! The compile-time runner registry: our counterpart of the `protea.runners`
//! entry-point group.
//!
//! [`Registry::builtin`] lists the runners of this crate. A runner living in another
//! crate is added by the binary that links it:
//!
//! ```ignore
//! let runners = protea_runners::Registry::builtin(env).register(Box::new(MyRunner::new()));
//! ```
//!
//! (see ARCHITECTURE.md). Names are unique: registering a second runner under a taken
//! name panics at start-up, the way a duplicate entry point is a packaging error.

use std::sync::Arc;

use crate::contract::{ExperimentRunner, Result, RunnerError};
use crate::env::RunnerEnv;

/// Runners by name, in registration order.
#[derive(Clone, Default)]
pub struct Registry {
    runners: Vec<Arc<dyn ExperimentRunner>>,
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Registry {
        Registry::default()
    }

    /// The runners this crate ships: `toy`, `baseline`, and `lightgbm` when built with
    /// the `lightgbm` feature.
    pub fn builtin(env: &RunnerEnv) -> Registry {
        let reg = Registry::new()
            .register(Arc::new(crate::toy::ToyRunner::new(env.clone())))
            .register(Arc::new(crate::baseline::BaselineRunner::new(env.clone())));
        #[cfg(feature = "lightgbm")]
        let reg = reg.register(Arc::new(crate::lightgbm::LightgbmRunner::new(env.clone())));
        reg
    }

    /// Adds a runner.
    ///
    /// # Panics
    /// When a runner of the same name is already registered.
    pub fn register(mut self, runner: Arc<dyn ExperimentRunner>) -> Registry {
        assert!(
            self.get(runner.name()).is_none(),
            "two runners are named {:?}",
            runner.name()
        );
        self.runners.push(runner);
        self
    }

    /// The runner of that name.
    pub fn get(&self, name: &str) -> Option<Arc<dyn ExperimentRunner>> {
        self.runners.iter().find(|r| r.name() == name).cloned()
    }

    /// The runner of that name, or an error listing the known ones.
    pub fn resolve(&self, name: &str) -> Result<Arc<dyn ExperimentRunner>> {
        self.get(name)
            .ok_or_else(|| RunnerError::UnknownRunner(name.into(), self.names().join(", ")))
    }

    /// Registered names, in order.
    pub fn names(&self) -> Vec<&'static str> {
        self.runners.iter().map(|r| r.name()).collect()
    }

    /// Every runner, in order.
    pub fn iter(&self) -> impl Iterator<Item = &Arc<dyn ExperimentRunner>> {
        self.runners.iter()
    }
}
