// The version `culture-lab --version` prints and run manifests record; package.json is the source, and a test
// keeps the two equal (the bundled CLI has no package.json beside it to read at run time).
export const CULTURE_LAB_VERSION = "0.1.0";
