import type { Command } from '@commander-js/extra-typings';
import {
  generateSigningKey,
  publicKeyPem,
  SIGNING_KEY_ENV,
  signingKeyFromEnv,
} from '../../statements/signing-key.js';
import type { CliDeps, ExitBox } from '../command-kit.js';
import { action } from '../command-kit.js';
import { EXIT_OK } from '../exit-codes.js';
import { printJson } from '../output.js';

/** `keys generate` and `keys public`: the Ed25519 key that signs statement manifests. */
export function registerSigningKeyCommands(keys: Command, deps: CliDeps, exit: ExitBox): void {
  keys
    .command('generate')
    .description(
      `create an Ed25519 statement signing key for the sandbox; point ${SIGNING_KEY_ENV} at it`,
    )
    .requiredOption(
      '--out <file>',
      'where to write the private key (PEM, readable by the owner only; never overwritten)',
    )
    .option('--json', 'print the key id and public key as JSON')
    .action(
      action(
        deps,
        exit,
        async (_ctx, opts) => {
          const file = opts.out;
          const key = await generateSigningKey(file);
          const publicKey = publicKeyPem(key.publicKey);
          if (opts.json) {
            printJson(deps.io, { keyId: key.keyId, file, publicKey });
            return EXIT_OK;
          }
          deps.io.stdout(
            `wrote the private key ${key.keyId} to ${file}; use it with\n  export ${SIGNING_KEY_ENV}=${file}\npublic key (for verify-export --public-key):\n${publicKey}`,
          );
          return EXIT_OK;
        },
        { needsContext: false },
      ),
    );

  keys
    .command('public')
    .description(
      `print the public key of the signing key ${SIGNING_KEY_ENV} names (PEM), for auditors and verify-export`,
    )
    .option('--json', 'print the key id and public key as JSON')
    .action(
      action(
        deps,
        exit,
        async (_ctx, opts) => {
          const key = await signingKeyFromEnv(deps.io.env);
          const publicKey = publicKeyPem(key.publicKey);
          if (opts.json) printJson(deps.io, { keyId: key.keyId, publicKey });
          else deps.io.stdout(publicKey);
          return EXIT_OK;
        },
        { needsContext: false },
      ),
    );
}
