export { arrayBufferBacked, concatBytes, constantTimeEqual, copyBytes, fromHex, toHex } from './bytes.js';
export { fromBase64, fromBase64Url, parseBase64, parseBase64Url, toBase64, toBase64Url } from './base64.js';
export { fromUtf8, utf8 } from './utf8.js';
