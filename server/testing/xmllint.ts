/**
 * libxml2's `xmllint` for tests that check XML we write: well-formedness, and validity against an
 * XML schema. NEEDS xmllint: Debian package libxml2-utils (`apt-get install -y libxml2-utils`;
 * `.ci/run` installs it). Answers 'ok' or xmllint's complaint.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CAP_XSD = fileURLToPath(new URL('../warnings/fixtures/CAP-v1.2.xsd', import.meta.url));
export const HAS_XMLLINT = spawnSync('xmllint', ['--version']).status === 0;

export function xmllint(xml: string, ...args: string[]): string {
  if (!HAS_XMLLINT)
    throw new Error(
      'this test needs xmllint: install Debian package libxml2-utils (apt-get install -y libxml2-utils)',
    );
  try {
    execFileSync('xmllint', ['--noout', '--nonet', ...args, '-'], { input: xml, stdio: 'pipe' });
    return 'ok';
  } catch (e) {
    return String((e as { stderr?: Buffer }).stderr ?? e);
  }
}
