// The console: hash routes (#/, #/fleet, #/plans, #/plan/ID, #/rollouts, #/rollout/ID, #/node/NAME), one module per page.
import { ApiError, cluster, gql, token } from './api.js'
import { clusterPage } from './cluster-view.js'
import { h } from './dom.js'
import { clusterSwitcher, fleetPage } from './fleet-view.js'
import { nodePage } from './node-view.js'
import { planPage } from './plan-view.js'
import { plansPage } from './plans-view.js'
import { rolloutPage } from './rollout-view.js'
import { rolloutsPage } from './rollouts-view.js'

const main = document.getElementById('main')
let me = null
let current = null

function loginForm(message) {
  const input = h('input', { type: 'password', id: 'token', placeholder: 'bearer token', size: 40, autocomplete: 'off' })
  main.replaceChildren(
    h('h1', {}, 'Sign in'),
    message ? h('div', { class: 'error' }, message) : '',
    h('form', { class: 'inline', id: 'login', onsubmit: (e) => { e.preventDefault(); token.set(input.value.trim()); route() } },
      input, h('button', { class: 'primary', type: 'submit' }, 'Use this token')),
    h('p', {}, 'The token is kept for this browser tab only (sessionStorage).'),
  )
}

async function whoami() {
  const data = await gql('{ me { subject role } clusters { name } }')
  me = data.me
  // With several clusters: a Fleet page and a switcher for the cluster the other pages show.
  const names = data.clusters.map((c) => c.name)
  const fleet = names.length > 1
  if (!fleet) cluster.set(null)
  document.getElementById('fleet-nav').hidden = !fleet
  document.getElementById('switcher').replaceChildren(fleet ? clusterSwitcher(names) : '')
  // Without a tokens file there is no token to forget: no Sign out.
  document.getElementById('who').replaceChildren(`${me.subject} (${me.role}) `,
    token.get() ? h('button', { id: 'sign-out', onclick: () => { token.clear(); me = null; route() } }, 'Sign out') : '')
}

/** What a page gets: who is looking, how to show itself, and where to register what stops when it is left. */
function pageContext() {
  const stops = []
  const ctx = {
    me,
    alive: true,
    show: (...children) => { if (ctx.alive) main.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false && c !== '')) },
    // A page left while it was loading stops what it starts at once.
    onLeave: (stop) => (ctx.alive ? stops.push(stop) : stop()),
    leave: () => { while (stops.length) stops.pop()() },
    fail: (err) => failed(ctx, err),
  }
  return ctx
}

function failed(ctx, err) {
  if (err instanceof ApiError && err.code === 'UNAUTHENTICATED') {
    const rejected = token.get() !== null
    token.clear()
    me = null
    return loginForm(rejected ? err.message : null)
  }
  ctx.show(h('div', { class: 'error' }, `${err.message}${err.code ? ` (${err.code})` : ''}`))
}

async function route() {
  if (current) {
    current.alive = false
    current.leave()
  }
  document.querySelectorAll('dialog').forEach((d) => d.remove())
  const [, page, arg] = location.hash.split('/')
  for (const a of document.querySelectorAll('header nav a')) a.classList.toggle('here', a.dataset.page === ({ plan: 'plans', rollout: 'rollouts' }[page] ?? (page || 'cluster')))
  let ctx = pageContext()
  current = ctx
  try {
    if (!me) {
      await whoami()
      ctx = current = pageContext()
    }
    const switcher = document.getElementById('cluster-switcher')
    if (switcher) switcher.value = cluster.get()
    if (page === 'fleet') await fleetPage(ctx)
    else if (page === 'plan' && arg) await planPage(ctx, decodeURIComponent(arg))
    else if (page === 'plans') await plansPage(ctx)
    else if (page === 'rollout' && arg) await rolloutPage(ctx, decodeURIComponent(arg))
    else if (page === 'rollouts') await rolloutsPage(ctx)
    else if (page === 'node' && arg) await nodePage(ctx, decodeURIComponent(arg))
    else await clusterPage(ctx)
  } catch (err) {
    failed(ctx, err)
  }
}

window.addEventListener('hashchange', route)
route()
