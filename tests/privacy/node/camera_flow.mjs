// The camera screen's consent calls (CameraScreen.tsx: checkConsent on mount, then
// handleConsentGrant once "I agree" is ticked), made with the app's own consent.ts; then a
// withdrawal, which consent.ts has no function for, through the same client as the app's
// backend route (POST /privacy/consent/{id}/withdraw). Prints each step's result as JSON.

import apiClient from "./api.mjs";
import { checkBiometricConsent, getJurisdictionInfo, grantBiometricConsent } from "./consent.mjs";

const steps = [];
steps.push(["status", await checkBiometricConsent()]);
const info = await getJurisdictionInfo();
steps.push(["jurisdiction", info]);
if (info) {
  const granted = await grantBiometricConsent(
    info.jurisdiction,
    info.consent_requirements.consent_text_version,
  );
  steps.push(["grant", granted]);
  steps.push(["status", await checkBiometricConsent()]);
  const { data } = await apiClient.get("/privacy/consent");
  const active = data.consents.find((c) => c.granted && c.consent_type === "biometric_capture");
  const withdrawn = await apiClient.post(`/privacy/consent/${active.id}/withdraw`);
  steps.push(["withdraw", withdrawn.data.granted]);
  steps.push(["status", await checkBiometricConsent()]);
}
process.stdout.write(JSON.stringify(steps));
