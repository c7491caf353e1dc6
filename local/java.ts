import { spawnSync } from 'node:child_process';

const MINIMUM_JAVA = 17;

const INSTALL_HINT =
  'install it (Debian/Ubuntu: sudo apt-get install openjdk-17-jre-headless; macOS: brew install openjdk@17)';

/**
 * Major version of the `java` on PATH, or undefined when there is none.
 * `java -version` prints e.g. `openjdk version "17.0.15"` or, before Java 9, `java version "1.8.0_402"`.
 */
export const javaMajorVersion = (java = 'java'): number | undefined => {
  const result = spawnSync(java, ['-version'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) return undefined;
  const match = /version "(\d+)(?:\.(\d+))?/.exec(`${result.stderr}${result.stdout}`);
  if (!match) return undefined;
  const major = Number(match[1]);
  return major === 1 ? Number(match[2]) : major;
};

/** Throws one readable line when Java 17+ is missing: DynamoDB Local 1.25 needs it. */
export const assertJava = (java = 'java'): void => {
  const major = javaMajorVersion(java);
  if (major === undefined) throw new Error(`DynamoDB Local needs Java ${MINIMUM_JAVA}+: ${INSTALL_HINT}`);
  if (major < MINIMUM_JAVA) {
    throw new Error(`DynamoDB Local needs Java ${MINIMUM_JAVA}+ but found Java ${major}: ${INSTALL_HINT}`);
  }
};
