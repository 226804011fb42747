import { Field, ObjectType } from 'type-graphql'

@ObjectType('JoinCommand', { simpleResolvers: true, description: 'What `kubeadm token create --print-join-command` prints. The token is shown here once and stored nowhere else by nodeplan.' })
export class JoinCommandType {
  @Field(() => String, { description: 'kubeadm join <host>:<port> --token <id>.<secret> --discovery-token-ca-cert-hash sha256:<hex>' })
  command!: string

  @Field(() => String, { description: 'The public half of the bootstrap token, as the audit trail names it.' })
  tokenId!: string

  @Field(() => Date, { description: 'After this the token no longer joins a machine.' })
  expiresAt!: Date
}
