import type { Tree } from '@nx/devkit';
import { admitPods } from './network-policy-edits';
import { editSource, replaceOnce } from './source-edits';
import type { UpstreamCall } from './upstream-calls';

/**
 * The callee admits the new caller (--calls): its peer policy lets the new
 * app's certificate call the RPC the sample uses, and its NetworkPolicy lets
 * the new app's pods in on its port. (The caller's own egress to it is in
 * the caller's template.)
 */
export function admitCaller(tree: Tree, caller: string, upstream: UpstreamCall): void {
  editSource(tree, upstream.peerPolicy, (text) =>
    replaceOnce(upstream.peerPolicy, text, new RegExp(`^( {2}${upstream.rpc}: \\[)([^\\]]*)\\]`, 'm'), `$1$2, '${caller}']`),
  );
  admitPods(tree, `k8s/base/${upstream.app}/network-policy.yaml`, upstream.app, caller);
}
