//! Black-box tests of the built `owlcms-tracker` binary.
