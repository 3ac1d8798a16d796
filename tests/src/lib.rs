//! Helpers shared by the black-box tests of the `owlcms-tracker` binary.
