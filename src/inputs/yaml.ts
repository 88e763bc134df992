// The YAML parser, loaded with import() only for input that is not a flat JSON map. A static import
// here (rather than import('yaml') itself) lets the bundler resolve yaml's CommonJS named exports.
export { parseDocument } from 'yaml'
