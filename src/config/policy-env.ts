/**
 * The environment variable naming the policy file when no `--policy FILE` is given. Apart
 * from policy-file.ts, so a command can tell there is no file to read without loading the
 * YAML parser.
 */
export const POLICY_ENV = 'OFFBOARD_POLICY';
