// The command line's help texts: the global options, the operator commands' usage, each command's page.
/** Global options: accepted before or after the command, as kubectl and terraform accept theirs. */
export const GLOBAL_HELP = `global options (before or after the command):
  --url URL          the nodeplan server (NODEPLAN_URL; default http://127.0.0.1:8080)
  --token TOKEN      bearer token (NODEPLAN_TOKEN)
  --cluster NAME     the cluster (NODEPLAN_CLUSTER); needed to plan when the server has several
  --output text|json json: stable JSON on stdout and nothing else (-o)
  --no-color         no colours (also NO_COLOR, or when stdout is not a terminal)
`

export const OPERATOR_USAGE = `  clusters                    every cluster: reachable, nodes, NotReady, draining, GPUs in/out of service, plans awaiting approval
  nodes [PREFIX]              the cluster's nodes, like kubectl get nodes plus roles, draining, GPUs, workloads
                              (--role R, -l key=value, --draining, --not-draining)
  plans                       stored plans, newest first (--status pending,approved…, --awaiting-me, --node N)
  plan KIND NODE… --reason R  plan drain, undrain, decommission or rejoin of nodes
  plan relabel NODE --roles system,gpu-worker --reason R
                              plan a node's Run:ai roles
  show ID                     a plan: its diff, impact and status
  approve ID                  approve a plan (approver role; not its author)
  apply ID                    apply a plan after asking; --auto-approve skips the question
  discard ID                  discard a plan that has not been applied
  rollback ID --reason R      plan the inverse of an applied plan
  history                     the audit trail (--node N, --plan ID, --actor A, --action A, --since T, --until T)
  verify                      check the audit trail's hash chain (admin)
  join-command                a kubeadm join command (admin; --ttl-hours H, --description D)
  plan rollout --reason R (--nodes N,… | --role R | -l key=value) [--max-unavailable 4|10%] [--min-gpus N] …
                              plan rolling maintenance of many nodes in waves under a capacity guard
  rollouts                    stored rollouts, newest first (--status running,paused…)
  rollout status ID [--watch] a rollout's waves, nodes, guard figures, what it waits for, forecast
  rollout approve|start|pause|resume|discard ID
  rollout abort ID --reason R stop it; drained nodes stay drained (it says which)
  rollout complete ID NODE    the maintenance of NODE is done
`

const TIME_HELP = `T is an ISO 8601 time (2026-03-01, 2026-03-01T12:00:00Z) or an age: 30m, 12h, 7d.`

export const HELP: Record<string, string> = {
  clusters: 'usage: nodeplan clusters\n\nEvery cluster the token may see: NAME REACHABLE NODES NOTREADY DRAINING GPUS (in/out of service) AWAITING-APPROVAL VERSION.\n',
  nodes: `usage: nodeplan nodes [PREFIX] [--role R]… [-l key=value]… [--draining | --not-draining]

The nodes of the cluster: NAME STATUS ROLES DRAINING GPUS (in use/total) WORKLOADS.
  PREFIX             only nodes whose name starts with it (e.g. gpu-1)
  --role R           only nodes with one of these roles: system, gpu-worker, cpu-worker (repeat or comma-separate)
  -l, --selector key=value
                     only nodes with this label (key alone: the label is set); repeat to require several
  --draining         only nodes carrying the drain taint; --not-draining: only those without it
`,
  plans: `usage: nodeplan plans [--status S,…] [--awaiting-me] [--node N] [--limit N] [--after CURSOR]

Stored plans, newest first: ID KIND STATUS NODES CREATED-BY APPROVAL.
  --status S         pending, approved, applying, applied, failed, discarded (comma-separated)
  --awaiting-me      pending plans that need approval and that you may approve (not your own)
  --node N           plans touching this node
  --limit N          at most N plans (default 20, at most 200); the last line says how to see more
`,
  plan: `usage: nodeplan plan drain|undrain|decommission|rejoin NODE… --reason R [--detailed-exitcode]
       nodeplan plan relabel NODE --roles system,gpu-worker,cpu-worker --reason R [--detailed-exitcode]

Stores a plan and prints it as terraform plan does, with its id and the command to apply it.
--detailed-exitcode: exit 0 when the plan changes nothing, 2 when it has changes, 1 on error.
Many nodes in waves under a capacity guard: nodeplan plan rollout (see nodeplan plan rollout --help).
`,
  show: 'usage: nodeplan show ID\n\nA plan: its diff, impact, warnings and status.\n',
  approve: 'usage: nodeplan approve ID\n\nApproves a pending plan (approver role or higher; not the plan\'s author).\n',
  apply: `usage: nodeplan apply ID [--auto-approve]

Shows the plan, asks for "yes", applies it and prints each change as it is applied.
Without a terminal on stdin, --auto-approve is required.
`,
  discard: 'usage: nodeplan discard ID\n\nDiscards a plan that has not been applied.\n',
  rollback: 'usage: nodeplan rollback ID --reason R [--detailed-exitcode]\n\nPlans the inverse of an applied plan; apply it with nodeplan apply.\n',
  history: `usage: nodeplan history [--node N] [--plan ID] [--actor A] [--action A] [--since T] [--until T] [--limit N] [--after CURSOR]

The audit trail, newest first (default limit 20, at most 200; the last line gives the --after to see more).
  --node N           events of this node, including those of every plan that touches it
  --plan ID          events of one plan
  --actor A          events by this subject (e.g. alice, system)
  --action A         events of this action (e.g. plan.approved, change.applied, plan.expired)
  --since T, --until T
                     ${TIME_HELP}
`,
  verify: 'usage: nodeplan verify\n\nWalks the audit trail\'s hash chain (admin role). Exit 0 when every link holds, 1 with the first broken event when not.\n',
  'join-command': 'usage: nodeplan join-command [--ttl-hours H] [--description D]\n\nCreates a bootstrap token and prints the kubeadm join command (admin role; H from 1 to 168, default 24).\n',
}
