// An independent Open Badges 3.0 implementation for the cross-implementation tests:
// Digital Bazaar's @digitalbazaar/vc with the eddsa-rdfc-2022 cryptosuite, run offline.
//
//   node ob3.mjs verify CONTEXT_DIR CREDENTIAL.json [STATUS_LIST.json ...]
//       prints {"verified": bool, "error": "..."}; the status lists are the only ones known
//   node ob3.mjs issue CONTEXT_DIR UNSIGNED.json KEY.json
//       prints the credential signed with the Multikey key file (as `mb keys new` writes it)
//   node ob3.mjs verify-jwt CONTEXT_DIR CREDENTIAL.jwt [STATUS_LIST.json ...]
//       checks a VC-JOSE compact JWS (alg EdDSA, kid: the issuer's did:key) with the Multikey
//       verifier, its iss/jti claims and its status; prints {"verified": bool, "error": "..."}
//   node ob3.mjs issue-jwt CONTEXT_DIR UNSIGNED.json KEY.json
//       prints the credential as a compact JWS signed here (header {alg, typ, kid}, claims iss/jti/sub)
//   node ob3.mjs time CONTEXT_DIR FOLDER KEY.json
//       signs then verifies every *.json of FOLDER (unsigned credentials) in this process and
//       prints {"count": n, "sign_s": seconds, "verify_s": seconds, "verified": n} (benchmarks/badges.py)
//
// Nothing is fetched: contexts come from CONTEXT_DIR, did:key documents from the key itself.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';

const [command, contextDir, ...files] = process.argv.slice(2);
const CONTEXTS = {
  'https://www.w3.org/ns/credentials/v2': 'credentials-v2.jsonld',
  'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json': 'context-3.0.3.json',
  'https://purl.imsglobal.org/spec/ob/v3p0/extensions.json': 'extensions.json',
};
const readJson = file => JSON.parse(fs.readFileSync(file, 'utf8'));

async function documentLoader(url) {
  if(CONTEXTS[url]) {
    return {contextUrl: null, documentUrl: url, document: readJson(path.join(contextDir, CONTEXTS[url]))};
  }
  if(url.startsWith('did:key:')) {
    const did = url.split('#')[0];
    const mb = did.slice('did:key:'.length);
    const key = await Ed25519Multikey.from({publicKeyMultibase: mb, controller: did, id: `${did}#${mb}`});
    const vm = await key.export({publicKey: true, includeContext: true});
    if(url.includes('#')) {
      return {contextUrl: null, documentUrl: url, document: vm};
    }
    const {['@context']: _ctx, ...plain} = vm;
    return {contextUrl: null, documentUrl: url, document: {
      '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
      id: did, verificationMethod: [plain], assertionMethod: [vm.id]}};
  }
  throw new Error('offline: refused ' + url);
}

function bitIsSet(encoded, index) {
  const text = encoded.startsWith('u') ? encoded.slice(1) : encoded;
  const bits = zlib.gunzipSync(Buffer.from(text, 'base64url'));
  if(bits.length * 8 < 131072) {
    throw new Error(`status list too short: ${bits.length * 8} bits`);
  }
  return (bits[Math.floor(index / 8)] & (0x80 >> (index % 8))) !== 0;
}

function statusChecker(lists) {
  return async ({credential}) => {
    const entries = [].concat(credential.credentialStatus);
    for(const entry of entries) {
      const list = lists[entry.statusListCredential];
      if(!list) {
        return {verified: false, error: 'status list not found: ' + entry.statusListCredential};
      }
      const listResult = await vc.verifyCredential({credential: list, documentLoader,
        suite: new DataIntegrityProof({cryptosuite})});
      if(!listResult.verified) {
        return {verified: false, error: 'status list does not verify'};
      }
      const issuer = c => (typeof c.issuer === 'string' ? c.issuer : c.issuer.id);
      if(issuer(list) !== issuer(credential)) {
        return {verified: false, error: 'status list issuer differs'};
      }
      if(bitIsSet(list.credentialSubject.encodedList, parseInt(entry.statusListIndex, 10))) {
        return {verified: false, error: `${entry.statusPurpose}: bit ${entry.statusListIndex} is set`};
      }
    }
    return {verified: true};
  };
}

function firstError(result) {
  const errors = [];
  const walk = r => {
    if(!r) {
      return;
    }
    if(r.error) {
      errors.push(...[].concat(r.error).map(e => (e.errors ? e.errors.map(x => x.message).join('; ') : e.message)));
    }
    (r.results || []).forEach(walk);
    if(r.statusResult && r.statusResult.error) {
      errors.push(r.statusResult.error);
    }
  };
  walk(result);
  return errors.join(' | ');
}

if(command === 'verify') {
  const [credentialFile, ...listFiles] = files;
  const lists = Object.fromEntries(listFiles.map(f => readJson(f)).map(l => [l.id, l]));
  let output;
  try {
    const result = await vc.verifyCredential({credential: readJson(credentialFile), documentLoader,
      suite: new DataIntegrityProof({cryptosuite}), checkStatus: statusChecker(lists)});
    output = {verified: result.verified, error: result.verified ? '' : firstError(result)};
  } catch(e) {
    output = {verified: false, error: e.message};
  }
  console.log(JSON.stringify(output));
} else if(command === 'issue') {
  const [credentialFile, keyFile] = files;
  const keyPair = await Ed25519Multikey.from(readJson(keyFile));
  const suite = new DataIntegrityProof({signer: keyPair.signer(), cryptosuite});
  const signed = await vc.issue({credential: readJson(credentialFile), suite, documentLoader});
  console.log(JSON.stringify(signed, null, 2));
} else if(command === 'time') {
  const [folder, keyFile] = files;
  const keyPair = await Ed25519Multikey.from(readJson(keyFile));
  const docs = fs.readdirSync(folder).filter(f => f.endsWith('.json')).sort()
    .map(f => readJson(path.join(folder, f)));
  const suite = new DataIntegrityProof({signer: keyPair.signer(), cryptosuite});
  let t = process.hrtime.bigint();
  const signed = [];
  for(const credential of docs) {
    signed.push(await vc.issue({credential, suite, documentLoader}));
  }
  const signS = Number(process.hrtime.bigint() - t) / 1e9;
  t = process.hrtime.bigint();
  let verified = 0;
  for(const credential of signed) {
    const r = await vc.verifyCredential({credential, documentLoader, suite: new DataIntegrityProof({cryptosuite})});
    verified += r.verified ? 1 : 0;
  }
  const verifyS = Number(process.hrtime.bigint() - t) / 1e9;
  console.log(JSON.stringify({count: docs.length, sign_s: signS, verify_s: verifyS, verified}));
} else if(command === 'verify-jwt') {
  const [tokenFile, ...listFiles] = files;
  const lists = Object.fromEntries(listFiles.map(f => readJson(f)).map(l => [l.id, l]));
  let output;
  try {
    const token = fs.readFileSync(tokenFile, 'ascii').trim();
    const [h, p, s] = token.split('.');
    const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
    const issuer = typeof payload.issuer === 'string' ? payload.issuer : payload.issuer.id;
    const did = String(header.kid || '').split('#')[0];
    if(header.alg !== 'EdDSA' || !did.startsWith('did:key:') || did !== issuer || payload.iss !== issuer) {
      throw new Error('the kid, iss and issuer differ, or alg is not EdDSA');
    }
    if(payload.jti !== payload.id) {
      throw new Error('jti differs from the credential id');
    }
    const keyPair = await Ed25519Multikey.from({publicKeyMultibase: did.slice('did:key:'.length), controller: did});
    const ok = await keyPair.verifier().verify({data: Buffer.from(`${h}.${p}`, 'ascii'),
      signature: Buffer.from(s, 'base64url')});
    if(!ok) {
      throw new Error('invalid JWS signature');
    }
    output = await statusChecker(lists)({credential: payload});
    output.error = output.error || '';
  } catch(e) {
    output = {verified: false, error: e.message};
  }
  console.log(JSON.stringify(output));
} else if(command === 'issue-jwt') {
  const [credentialFile, keyFile] = files;
  const keyPair = await Ed25519Multikey.from(readJson(keyFile));
  const credential = readJson(credentialFile);
  const issuer = typeof credential.issuer === 'string' ? credential.issuer : credential.issuer.id;
  const payload = {...credential, iss: issuer, jti: credential.id, sub: credential.credentialSubject.id};
  const b64 = o => Buffer.from(JSON.stringify(o), 'utf8').toString('base64url');
  const input = `${b64({alg: 'EdDSA', typ: 'JWT', kid: keyPair.id})}.${b64(payload)}`;
  const signature = await keyPair.signer().sign({data: Buffer.from(input, 'ascii')});
  console.log(`${input}.${Buffer.from(signature).toString('base64url')}`);
} else {
  console.error('usage: node ob3.mjs verify|issue|verify-jwt|issue-jwt|time CONTEXT_DIR FILE ...');
  process.exit(2);
}
