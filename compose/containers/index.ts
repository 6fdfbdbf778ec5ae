/** Public API of the container stacks (see README.md in this folder). */
export {
  AUTHENTIK_URL, OSTICKET_URL, REDIRECT_URI, SLUG,
  dockerUnavailableReason, imageExists, stackBlueprint, startLocalStack, startMysql, startStack,
  type DbCredentials, type LocalStack, type Stack, type StackClient, type StackOptions, type StackOsticket, type StackUser,
} from './stack.ts';
export { DEFAULT_IMAGES, LOCAL_IMAGES, authentikImageRef, isReferenceAuthentik, pullAllowed, stackImages, type StackImages } from './images.ts';
export { type StartedAuthentik } from './authentik.ts';
export { INPUTS_LABEL, ensureBuiltImage, imageInputsKey } from './built-image.ts';
export { planOsticketImage, type OsticketImagePlan } from './osticket-image.ts';
export { generateClientSecret, generateId } from './credentials.ts';
export {
  ContainerStartError, STACK_LABEL, applyTestcontainersDefaults, beginStack, listStackContainers, stackNetworkExists,
  type ProgressSink, type StackRun,
} from './lifecycle.ts';
export { installOsticket, readSecretSalt, type OsticketInstallInput, type OsticketInstallResult, type PhpDisplaySettings } from './osticket-setup.ts';
