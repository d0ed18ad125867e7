// Package golden runs tests against the reference fixtures computed by
// diffusers/transformers/PyTorch (testdata/golden, format
// "sdxl-ipadapter-golden/1").
//
// Tests are data-driven from the fixture index: a test names a case group,
// and ForGroup runs one subtest per case, named by the case id. The files a
// case needs come from its "resources"; no case names or paths are written
// in Go. IPADAPTER_GOLDEN_DIR points the same tests at another fixture set
// of the same format.
package golden
