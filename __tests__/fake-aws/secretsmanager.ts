// AWS Secrets Manager, only DescribeSecret: a secret's metadata, never a value (no GetSecretValue here).
// Rules: Secrets Manager API reference (DescribeSecret, SecretId, CreateSecret Name); evidence in
// __tests__/fixtures/preflight-evidence/DESCRIBE.md, section 2.
import { randomInt } from 'node:crypto'
import { partitionOf } from './identity.js'
import { AwsError } from './protocols.js'
import { reqString } from './validate.js'
import type { Input, ServiceDefinition, ServiceEnv } from './types.js'

export interface SecretSeed {
  /** 1-512 ASCII letters, digits and /_+=.@- */
  name: string
  /** scheduled for deletion (DeleteSecret with a recovery window) */
  deleted?: boolean
  /** as CreateSecret was given it; without one the secret uses aws/secretsmanager and DescribeSecret omits it */
  kmsKeyId?: string
  /** the 6 characters AWS appends to the ARN (random by default), for a fixture that names the full ARN */
  suffix?: string
}

type StoredSecret = {
  name: string
  arn: string
  created: Date
  deletedDate: Date | undefined
  kmsKeyId: string | undefined
}

const NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
/** "Secrets Manager can't find the specified secret." (A) */
const notFound = () => new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.")

export class SecretsManagerState {
  private readonly secrets = new Map<string, StoredSecret>()

  constructor(private readonly env: ServiceEnv) {}

  private get arnPrefix() {
    return `arn:${partitionOf(this.env.region)}:secretsmanager:${this.env.region}:${this.env.accountId}:secret:`
  }

  /** Seeds a secret; returns its ARN, the name followed by `-` and six random characters. */
  addSecret(seed: SecretSeed): string {
    if (!NAME.test(seed.name)) throw new Error(`Secret name ${seed.name}: 1-512 of A-Za-z0-9/_+=.@-.`)
    if (this.secrets.has(seed.name)) throw new Error(`Secret ${seed.name} exists.`)
    const suffix = seed.suffix ?? Array.from({ length: 6 }, () => LETTERS[randomInt(LETTERS.length)]).join('')
    const created = new Date()
    // DeleteSecret: the recovery window is 7 to 30 days, 30 by default.
    const deletedDate = seed.deleted ? new Date(created.getTime() + 30 * 86_400_000) : undefined
    const arn = `${this.arnPrefix}${seed.name}-${suffix}`
    this.secrets.set(seed.name, { name: seed.name, arn, created, deletedDate, kmsKeyId: seed.kmsKeyId })
    return arn
  }

  /**
   * By name, full ARN, or partial ARN (without `-` and the six random characters: "A partial ARN match
   * can work as long as it uniquely matches only one secret"; names are unique here). A partial ARN
   * ending in `-` and six characters is taken for a full one, as the API reference warns.
   */
  private resolve(id: string): StoredSecret {
    let found = this.secrets.get(id)
    if (id.startsWith('arn:')) {
      if (!id.startsWith(this.arnPrefix)) {
        throw new AwsError('NotModelledByFake', 'Secrets of other accounts or Regions are not modelled.')
      }
      const rest = id.slice(this.arnPrefix.length)
      found = /-[A-Za-z0-9]{6}$/.test(rest)
        ? [...this.secrets.values()].find((s) => s.arn === id)
        : this.secrets.get(rest)
    }
    if (!found) throw notFound()
    return found
  }

  describeSecret(input: Input) {
    const secret = this.resolve(reqString(input, 'SecretId'))
    return {
      ARN: secret.arn,
      Name: secret.name,
      KmsKeyId: secret.kmsKeyId,
      LastChangedDate: secret.created,
      DeletedDate: secret.deletedDate,
      CreatedDate: secret.created
    }
  }
}

export function createSecretsManager(env: ServiceEnv): { definition: ServiceDefinition; state: SecretsManagerState } {
  const state = new SecretsManagerState(env)
  const definition: ServiceDefinition = {
    service: 'secretsmanager',
    protocol: 'awsJson1_1',
    targetPrefix: 'secretsmanager',
    serverErrorCode: 'InternalServiceError',
    // IAM.md 3.6: 400 AccessDeniedException naming the SecretId as sent.
    accessDenied: { code: 'AccessDeniedException', status: 400, resource: (_op, i) => String(i.SecretId ?? '*') },
    writeOperations: [],
    operations: { DescribeSecret: (i) => state.describeSecret(i) }
  }
  return { definition, state }
}
