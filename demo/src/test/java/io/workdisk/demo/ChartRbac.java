package io.workdisk.demo;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicy;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicyBinding;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.workdisk.api.ApiGroup;
import io.workdisk.api.task.TaskType;
import io.workdisk.api.task.WorkTask;
import io.workdisk.api.task.WorkTaskSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.awaitility.core.ConditionTimeoutException;

/**
 * What the Helm chart makes of identities, rendered by the real helm binary: its ServiceAccounts, the
 * roles and bindings that grant them their verbs, and the admission policy that narrows an agent to its
 * own node. Applied to a real API server as they are, or with one granted verb taken away, and only
 * handed back once the server enforces them. The Deployment and DaemonSet are left out: no kubelet runs.
 */
final class ChartRbac {
    /** The release namespace {@link HelmChartTest#render} renders into. */
    static final String NAMESPACE = "workdisk-system";

    /**
     * One verb a role grants on one resource (a subresource written {@code workdisks/status}), and the
     * ServiceAccount the role is bound to. {@code namespace} is null for a ClusterRole.
     */
    record Grant(String role, String namespace, String user, String group, String resource, String verb) {
        /** Whether the server refused {@code e} for want of this grant. */
        boolean refused(AuditLog.Entry e) {
            return e.forbidden()
                    && e.user().equals(user)
                    && e.verb().equals(verb)
                    && e.group().equals(group)
                    && e.resource().equals(resource)
                    && (namespace == null || e.namespace().equals(namespace));
        }

        @Override
        public String toString() {
            return role + (namespace == null ? "" : " (Role)") + ": " + verb + " "
                    + (group.isEmpty() ? "" : group + "/") + resource;
        }
    }

    private final List<ServiceAccount> accounts = new ArrayList<>();
    private final List<HasMetadata> roles = new ArrayList<>();
    private final List<HasMetadata> bindings = new ArrayList<>();
    private final List<HasMetadata> admission = new ArrayList<>();

    private ChartRbac(List<HasMetadata> rendered) {
        for (HasMetadata o : rendered) {
            if (o instanceof ServiceAccount sa) {
                accounts.add(sa);
            } else if (o instanceof ClusterRole || o instanceof Role) {
                roles.add(o);
            } else if (o instanceof ClusterRoleBinding || o instanceof RoleBinding) {
                bindings.add(o);
            } else if (o instanceof ValidatingAdmissionPolicy || o instanceof ValidatingAdmissionPolicyBinding) {
                admission.add(o);
            }
        }
    }

    static ChartRbac render() {
        return new ChartRbac(HelmChartTest.render());
    }

    /**
     * The chart without its CSI driver: the roles the operator's reconcilers and the agents use, which the
     * lifecycle {@link LeastPrivilegeTest} runs exercises. The CSI roles (the controller service and the
     * sidecars beside the operator) are used only by a PVC's provisioning, resizing and deletion.
     */
    static ChartRbac renderWithoutCsi() {
        return new ChartRbac(HelmChartTest.render("csi.enabled=false"));
    }

    /**
     * The chart with its CSI driver; {@link #grants()} of the CSI roles only (the ClusterRole and Role that
     * the sidecars and the controller service add to the operator's), which {@link CsiLeastPrivilegeTest}
     * measures.
     */
    static ChartRbac renderWithCsi() {
        return new ChartRbac(HelmChartTest.render());
    }

    /** The grants of the roles named {@code <operator>-csi}: what the CSI driver adds to the operator's roles. */
    List<Grant> csiGrants() {
        String csiRole = operatorAccount() + "-csi";
        return grants().stream().filter(g -> g.role().equals(csiRole)).toList();
    }

    String operatorAccount() {
        return account("-operator");
    }

    String agentAccount() {
        return account("-agent");
    }

    static String user(String account) {
        return "system:serviceaccount:" + NAMESPACE + ":" + account;
    }

    private String account(String suffix) {
        return accounts.stream()
                .map(a -> a.getMetadata().getName())
                .filter(n -> n.endsWith(suffix))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("the chart renders no ServiceAccount *" + suffix));
    }

    /** Every verb every role grants, one by one. */
    List<Grant> grants() {
        List<Grant> out = new ArrayList<>();
        for (HasMetadata role : roles) {
            String user = boundAccount(role);
            for (PolicyRule rule : rules(role)) {
                for (String group : rule.getApiGroups()) {
                    for (String resource : rule.getResources()) {
                        for (String verb : rule.getVerbs()) {
                            out.add(new Grant(
                                    role.getMetadata().getName(),
                                    role.getMetadata().getNamespace(),
                                    user,
                                    group,
                                    resource,
                                    verb));
                        }
                    }
                }
            }
        }
        return out;
    }

    /** Applies everything as rendered; returns once RBAC and the admission policy are in force. */
    void apply(KubernetesClient admin) {
        accounts.forEach(a -> admin.resource(a).forceConflicts().serverSideApply());
        roles.forEach(r -> admin.resource(r).forceConflicts().serverSideApply());
        bindings.forEach(b -> admin.resource(b).forceConflicts().serverSideApply());
        admission.forEach(a -> admin.resource(a).forceConflicts().serverSideApply());
        for (Grant g : grants()) {
            awaitAllowed(admin, g, true);
        }
        if (!admission.isEmpty()) {
            awaitPolicyInForce(admin);
        }
    }

    /** Takes {@code grant} out of its role on the server; returns once the server refuses it. */
    void withhold(KubernetesClient admin, Grant grant) {
        admin.resource(reduced(role(grant), grant)).forceConflicts().serverSideApply();
        awaitAllowed(admin, grant, false);
    }

    /** Gives {@code grant} back; returns once the server allows it again. */
    void restore(KubernetesClient admin, Grant grant) {
        admin.resource(role(grant)).forceConflicts().serverSideApply();
        awaitAllowed(admin, grant, true);
    }

    private HasMetadata role(Grant grant) {
        // a ClusterRole and a Role may share a name (the chart's <release>-operator-csi): the namespace tells them
        // apart
        return roles.stream()
                .filter(r -> r.getMetadata().getName().equals(grant.role())
                        && Objects.equals(r.getMetadata().getNamespace(), grant.namespace()))
                .findFirst()
                .orElseThrow();
    }

    /** The role with {@code dropped} taken out of its rules; every other verb it grants stays. */
    private static HasMetadata reduced(HasMetadata role, Grant dropped) {
        List<PolicyRule> kept = new ArrayList<>();
        for (PolicyRule rule : rules(role)) {
            for (String group : rule.getApiGroups()) {
                for (String resource : rule.getResources()) {
                    List<String> verbs = rule.getVerbs().stream()
                            .filter(v -> !(group.equals(dropped.group())
                                    && resource.equals(dropped.resource())
                                    && v.equals(dropped.verb())))
                            .toList();
                    if (!verbs.isEmpty()) {
                        kept.add(new PolicyRuleBuilder()
                                .withApiGroups(group)
                                .withResources(resource)
                                .withVerbs(verbs)
                                .build());
                    }
                }
            }
        }
        HasMetadata copy = Serialization.clone(role);
        if (copy instanceof ClusterRole cr) {
            cr.setRules(kept);
        } else {
            ((Role) copy).setRules(kept);
        }
        return copy;
    }

    private static List<PolicyRule> rules(HasMetadata role) {
        return role instanceof ClusterRole cr ? cr.getRules() : ((Role) role).getRules();
    }

    private String boundAccount(HasMetadata role) {
        for (HasMetadata b : bindings) {
            var ref = b instanceof ClusterRoleBinding crb ? crb.getRoleRef() : ((RoleBinding) b).getRoleRef();
            List<Subject> subjects =
                    b instanceof ClusterRoleBinding crb ? crb.getSubjects() : ((RoleBinding) b).getSubjects();
            if (ref.getKind().equals(role.getKind())
                    && ref.getName().equals(role.getMetadata().getName())) {
                Subject s = subjects.get(0);
                return "system:serviceaccount:" + s.getNamespace() + ":" + s.getName();
            }
        }
        throw new IllegalStateException(
                role.getKind() + " " + role.getMetadata().getName() + " is bound to nobody");
    }

    /** RBAC is enforced from an informer's cache: waits until the server answers as the roles now say. */
    private static void awaitAllowed(KubernetesClient admin, Grant g, boolean allowed) {
        String[] resource = g.resource().split("/", 2);
        await().alias(g
                        + (allowed
                                ? " is granted"
                                : " is refused once taken out of the chart (if it stays granted, "
                                        + "the server grants it to every user anyway: take it out of the chart)"))
                .atMost(Duration.ofSeconds(10))
                .until(() -> admin.authorization()
                                .v1()
                                .subjectAccessReview()
                                .create(new SubjectAccessReviewBuilder()
                                        .withNewSpec()
                                        .withUser(g.user())
                                        .withGroups(
                                                "system:serviceaccounts",
                                                "system:serviceaccounts:" + NAMESPACE,
                                                "system:authenticated")
                                        .withNewResourceAttributes()
                                        .withGroup(g.group())
                                        .withResource(resource[0])
                                        .withSubresource(resource.length > 1 ? resource[1] : null)
                                        .withVerb(g.verb())
                                        .withNamespace(g.namespace() != null ? g.namespace() : NAMESPACE)
                                        .endResourceAttributes()
                                        .endSpec()
                                        .build())
                                .getStatus()
                                .getAllowed()
                        == allowed);
    }

    /**
     * The server loads an admission policy asynchronously. It refuses a WorkTask written by anyone but the
     * operator, so a dry-run create by the administrator is refused once the policy is in force.
     */
    private void awaitPolicyInForce(KubernetesClient admin) {
        WorkTask probe = new WorkTask();
        probe.setMetadata(new ObjectMetaBuilder()
                .withName("policy-probe")
                .withNamespace(NAMESPACE)
                .withLabels(Map.of(ApiGroup.NODE_LABEL, "nowhere"))
                .build());
        probe.setSpec(new WorkTaskSpec(
                "nowhere", TaskType.Delete, "disks/none.ext4", null, null, null, null, null, null, "probe", 1));
        String[] last = {"nothing yet"};
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                try {
                    admin.resource(probe).dryRun().create();
                    last[0] = "the dry-run create was let through";
                    return false;
                } catch (KubernetesClientException e) {
                    last[0] = e.getCode() + " " + e.getMessage()
                            + (e.getCause() == null ? "" : " (" + e.getCause() + ")");
                    return e.getCode() == 403;
                }
            });
        } catch (ConditionTimeoutException e) {
            String policies = admission.stream()
                    .filter(ValidatingAdmissionPolicy.class::isInstance)
                    .map(p -> Serialization.asYaml(
                            ((ValidatingAdmissionPolicy) admin.resource(p).get()).getStatus()))
                    .toList()
                    .toString();
            throw new AssertionError(
                    "the admission policy is not in force: " + last[0] + "; its status: " + policies, e);
        }
    }
}
