/* cilium_config.c - the cilium-config ConfigMap (a row of the ConfigMap kind
 * through mesh_pods.c): Cilium's transparent encryption and whether its
 * mutual authentication is on, the install assumptions of the mesh posture
 * (docs/semantics.md "Mesh mTLS posture"). Keys as the agent reads them
 * (cilium/cilium pkg/option/config.go enable-ipsec, pkg/wireguard
 * enable-wireguard, pkg/ztunnel enable-ztunnel, pkg/auth mesh-auth-enabled
 * (default true) and mesh-auth-mutual-enabled (default false)); values as Go's
 * strconv.ParseBool reads them. A bad value is warned at its position and
 * makes its assumption unknown. */
#include "ingest/manifest/k8s.h"
#include "model/mesh.h"

#include <string.h>

/* 1 true, 0 false or absent, -1 bad (warned) */
static int go_bool(tm_k8s_ctx *c, const tm_node *data, const char *key, const char *then)
{
	static const char *const yes[] = {"1", "t", "T", "TRUE", "true", "True"};
	static const char *const no[] = {"0", "f", "F", "FALSE", "false", "False"};
	const tm_node *v = tm_node_get(data, key);
	if (!v)
		return 0;
	if (v->kind == TM_NODE_SCALAR && v->stype != TM_SCALAR_NULL) {
		for (size_t i = 0; i < TM_ARRAY_LEN(yes); i++)
			if (!strcmp(v->str, yes[i]))
				return 1;
		for (size_t i = 0; i < TM_ARRAY_LEN(no); i++)
			if (!strcmp(v->str, no[i]))
				return 0;
		tm_k8s_warn(c, v, "data.%s: '%s' is not a boolean (true or false); %s", key, v->str, then);
	} else
		tm_k8s_warn(c, v, "data.%s: expected a string, got %s; %s", key, tm_node_kind_str(v), then);
	return -1;
}

void tm_k8s_cilium_config(tm_k8s_ctx *c)
{
	static const char enc_unknown[] = "Cilium's transparent encryption is taken as unknown";
	static const char auth_unknown[] = "whether Cilium's mutual authentication is on is taken as unknown";
	static const struct {
		const char *key;
		tm_cilium_enc enc;
	} modes[] = {{"enable-wireguard", TM_CENC_WIREGUARD}, {"enable-ipsec", TM_CENC_IPSEC}, {"enable-ztunnel", TM_CENC_ZTUNNEL}};
	tm_mesh_install *in = &tm_mesh_get(c->m)->install;
	const tm_node *data = tm_node_get(c->obj, "data");
	in->cilium_config = true;
	in->cilium_loc = c->obj->loc;
	in->cilium_config_name = tm_arena_printf(&c->m->arena, "%s/%s", c->ns ? c->ns : "", c->name);
	if (data && data->kind != TM_NODE_MAP) {
		tm_k8s_warn(c, data, "data: expected a map, got %s; Cilium's encryption and mutual authentication are taken "
			    "as unknown", tm_node_kind_str(data));
		in->cilium_encryption = TM_CENC_UNKNOWN;
		in->cilium_mutual_auth = TM_TRI_UNKNOWN;
		return;
	}
	/* encryption: at most one mode on; none on is none */
	bool bad = false;
	size_t on = 0;
	const char *on_key = NULL;
	tm_cilium_enc enc = TM_CENC_NONE;
	for (size_t i = 0; i < TM_ARRAY_LEN(modes); i++) {
		int b = go_bool(c, data, modes[i].key, enc_unknown);
		if (b < 0)
			bad = true;
		else if (b > 0) {
			if (on++ == 1)
				tm_k8s_warn(c, tm_node_get(data, modes[i].key),
					    "data.%s and data.%s are both on, which the agent refuses; %s", on_key, modes[i].key,
					    enc_unknown);
			on_key = modes[i].key;
			enc = modes[i].enc;
		}
	}
	in->cilium_encryption = bad || on > 1 ? TM_CENC_UNKNOWN : enc;
	in->cilium_enc_key = on == 1 ? on_key : "enable-wireguard, enable-ipsec, enable-ztunnel";
	/* mutual authentication: mesh-auth-enabled (default true) and mesh-auth-mutual-enabled (default false) */
	int en = tm_node_get(data, "mesh-auth-enabled") ? go_bool(c, data, "mesh-auth-enabled", auth_unknown) : 1;
	int mu = go_bool(c, data, "mesh-auth-mutual-enabled", auth_unknown);
	if (en == 0) {
		in->cilium_mutual_auth = TM_TRI_NO;
		in->cilium_auth_key = "mesh-auth-enabled";
	} else {
		in->cilium_mutual_auth = en < 0 || mu < 0 ? TM_TRI_UNKNOWN : mu ? TM_TRI_YES : TM_TRI_NO;
		in->cilium_auth_key = "mesh-auth-mutual-enabled";
	}
}
