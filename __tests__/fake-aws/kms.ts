// AWS KMS, only DescribeKey (KMS API reference, DescribeKey and KeyMetadata). Evidence, with the real
// answers and error texts: __tests__/fixtures/preflight-evidence/DESCRIBE.md, section 1.
import { randomUUID } from 'node:crypto'
import { partitionOf } from './identity.js'
import { AwsError } from './protocols.js'
import { reqString } from './validate.js'
import type { Input, ServiceDefinition, ServiceEnv } from './types.js'

export type KeyState =
  | 'Creating'
  | 'Enabled'
  | 'Disabled'
  | 'PendingDeletion'
  | 'PendingImport'
  | 'PendingReplicaDeletion'
  | 'Unavailable'
  | 'Updating'
export type KeyUsage = 'ENCRYPT_DECRYPT' | 'SIGN_VERIFY' | 'GENERATE_VERIFY_MAC' | 'KEY_AGREEMENT'

export interface KmsKeySeed {
  /** default: a random UUID */
  id?: string
  /** default 'Enabled' */
  state?: KeyState
  /** default 'SYMMETRIC_DEFAULT'; e.g. 'RSA_2048', 'ECC_NIST_P256', 'HMAC_256' */
  spec?: string
  /** default 'ENCRYPT_DECRYPT' */
  usage?: KeyUsage
  /** default 'CUSTOMER' */
  manager?: 'AWS' | 'CUSTOMER'
  /** default 'AWS_KMS' */
  origin?: 'AWS_KMS' | 'EXTERNAL' | 'AWS_CLOUDHSM' | 'EXTERNAL_KEY_STORE'
  description?: string
}

type StoredKey = Required<KmsKeySeed> & { arn: string; created: Date }

const KEY_ID = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/
/** "Default key that protects my SSM parameters when no other key is defined" (A, DESCRIBE.md 1.2). */
const SSM_ALIAS = 'alias/aws/ssm'
const notFound = (message: string) => new AwsError('NotFoundException', message)

export class KmsState {
  private readonly keys = new Map<string, StoredKey>()
  private readonly aliases = new Map<string, string>()

  constructor(private readonly env: ServiceEnv) {
    // The AWS managed key SSM encrypts SecureStrings with when no KeyId is given: DescribeKey on this
    // predefined alias creates it if it does not exist yet (B), so it always answers.
    const ssm = this.addKey({
      manager: 'AWS',
      description: 'Default key that protects my SSM parameters when no other key is defined'
    })
    this.aliases.set(SSM_ALIAS, ssm.keyId)
  }

  private get arnPrefix() {
    return `arn:${partitionOf(this.env.region)}:kms:${this.env.region}:${this.env.accountId}:`
  }

  /** Seeds a key of this account and region. */
  addKey(seed: KmsKeySeed = {}): { keyId: string; arn: string } {
    const keyId = seed.id ?? randomUUID()
    if (!KEY_ID.test(keyId)) throw new Error(`Key id ${keyId}: a UUID or mrk- and 32 hex digits.`)
    const spec = seed.spec ?? 'SYMMETRIC_DEFAULT'
    const usage = seed.usage ?? 'ENCRYPT_DECRYPT'
    // KeySpec: "SYMMETRIC_DEFAULT ... for encryption and decryption" only.
    if (spec === 'SYMMETRIC_DEFAULT' && usage !== 'ENCRYPT_DECRYPT')
      throw new Error(`${spec} keys are ENCRYPT_DECRYPT.`)
    const arn = `${this.arnPrefix}key/${keyId}`
    this.keys.set(keyId, {
      id: keyId,
      state: seed.state ?? 'Enabled',
      spec,
      usage,
      manager: seed.manager ?? 'CUSTOMER',
      origin: seed.origin ?? 'AWS_KMS',
      description: seed.description ?? '',
      arn,
      created: new Date()
    })
    return { keyId, arn }
  }

  /** Points `alias/<name>` at a seeded key (its id or ARN). */
  addAlias(name: string, key: string): void {
    const keyId = key.slice(key.lastIndexOf('/') + 1)
    if (!/^alias\/[A-Za-z0-9/_-]{1,250}$/.test(name))
      throw new Error(`Alias ${name}: alias/ and up to 250 of A-Za-z0-9/_-.`)
    if (!this.keys.has(keyId)) throw new Error(`No key ${key}; add it first.`)
    this.aliases.set(name, keyId)
  }

  /**
   * A key id, key ARN, alias name or alias ARN of this account and region. Unknown: "Key '<key ARN>'
   * does not exist" / "Alias <alias ARN> is not found." / "Invalid keyId <id>" (A); an ARN of another
   * region: "Invalid arn" (A, for Encrypt).
   */
  /** The key ARN a KeyId names, for an access-denied message (IAM.md 3.6: the key ARN even for an alias). */
  arnOf(ref: unknown): string {
    try {
      return typeof ref === 'string' ? this.resolve(ref).arn : '*'
    } catch {
      return '*'
    }
  }

  private resolve(ref: string): StoredKey {
    let name = ref
    if (ref.startsWith('arn:')) {
      const [, , region, account, resource = ''] = /^arn:([^:]+):kms:([^:]*):([^:]*):(.*)$/.exec(ref) ?? []
      if (region !== this.env.region) throw notFound('Invalid arn')
      if (account !== this.env.accountId)
        throw new AwsError('NotModelledByFake', 'Keys of other accounts are not modelled.')
      if (!/^(key|alias)\//.test(resource)) throw notFound('Invalid arn')
      name = resource.startsWith('key/') ? resource.slice('key/'.length) : resource
    }
    if (name.startsWith('alias/')) {
      const keyId = this.aliases.get(name)
      if (keyId === undefined) throw notFound(`Alias ${this.arnPrefix}${name} is not found.`)
      return this.keys.get(keyId)!
    }
    if (!KEY_ID.test(name)) throw notFound(`Invalid keyId ${name}`)
    const key = this.keys.get(name)
    if (!key) throw notFound(`Key '${this.arnPrefix}key/${name}' does not exist`)
    return key
  }

  describeKey(input: Input) {
    const key = this.resolve(reqString(input, 'KeyId'))
    const symmetric = key.spec === 'SYMMETRIC_DEFAULT'
    return {
      KeyMetadata: {
        AWSAccountId: this.env.accountId,
        KeyId: key.id,
        Arn: key.arn,
        CreationDate: key.created,
        Enabled: key.state === 'Enabled',
        Description: key.description,
        KeyUsage: key.usage,
        KeyState: key.state,
        // A key pending deletion is deleted after a waiting period of 7 to 30 days (30 by default).
        DeletionDate: key.state === 'PendingDeletion' ? new Date(key.created.getTime() + 30 * 86_400_000) : undefined,
        Origin: key.origin,
        KeyManager: key.manager,
        CustomerMasterKeySpec: key.spec,
        KeySpec: key.spec,
        EncryptionAlgorithms: symmetric ? ['SYMMETRIC_DEFAULT'] : undefined,
        MultiRegion: key.id.startsWith('mrk-')
      }
    }
  }
}

export function createKms(env: ServiceEnv): { definition: ServiceDefinition; state: KmsState } {
  const state = new KmsState(env)
  const definition: ServiceDefinition = {
    service: 'kms',
    protocol: 'awsJson1_1',
    targetPrefix: 'TrentService',
    serverErrorCode: 'KMSInternalException',
    // IAM.md 3.6: 400 AccessDeniedException naming the key ARN.
    accessDenied: { code: 'AccessDeniedException', status: 400, resource: (_op, i) => state.arnOf(i.KeyId) },
    writeOperations: [],
    operations: { DescribeKey: (i) => state.describeKey(i) }
  }
  return { definition, state }
}
