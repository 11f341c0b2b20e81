//! `Shared<T>`: an `Rc` that props compare by pointer.
//!
//! Design decision: `Rc<T>`'s own `PartialEq` compares the values, which for a plan of 506
//! candidates handed to 506 table rows would compare 506 × 506 candidates on every render.
//! The plan is replaced, never mutated, so "same pointer" is "same plan".

use std::ops::Deref;
use std::rc::Rc;

#[derive(Debug)]
pub struct Shared<T>(pub Rc<T>);

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(Rc::clone(&self.0))
    }
}

impl<T> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl<T> Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}
