// A configuration the run cannot use (a bad field, a missing key file): its message names the file
// and the problem. Its own module, so that what only throws it (key files, a worker's start) does
// not load the configuration loader and its YAML parser.
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
