/** Namespaces, algorithm URIs, content and relationship types of OPC package signatures. */
import type { HashAlgorithm } from '../signing-key.js';

export const NS = {
  dsig: 'http://www.w3.org/2000/09/xmldsig#',
  /** Package digital signature (SignatureTime, RelationshipReference). */
  mdssi: 'http://schemas.openxmlformats.org/package/2006/digital-signature',
  /** SignatureInfoV1 ([MS-OFFCRYPTO]). */
  msdigsig: 'http://schemas.microsoft.com/office/2006/digsig',
  xades: 'http://uri.etsi.org/01903/v1.3.2#',
  xades141: 'http://uri.etsi.org/01903/v1.4.1#',
  relationships: 'http://schemas.openxmlformats.org/package/2006/relationships',
  contentTypes: 'http://schemas.openxmlformats.org/package/2006/content-types',
} as const;

export const RELATIONSHIP_TRANSFORM = 'http://schemas.openxmlformats.org/package/2006/RelationshipTransform';
export const OBJECT_TYPE = 'http://www.w3.org/2000/09/xmldsig#Object';
export const SIGNED_PROPERTIES_TYPE = 'http://uri.etsi.org/01903#SignedProperties';

export const REL_TYPE = {
  origin: 'http://schemas.openxmlformats.org/package/2006/relationships/digital-signature/origin',
  signature: 'http://schemas.openxmlformats.org/package/2006/relationships/digital-signature/signature',
  certificate: 'http://schemas.openxmlformats.org/package/2006/relationships/digital-signature/certificate',
} as const;

export const CONTENT_TYPE = {
  relationships: 'application/vnd.openxmlformats-package.relationships+xml',
  origin: 'application/vnd.openxmlformats-package.digital-signature-origin',
  signature: 'application/vnd.openxmlformats-package.digital-signature-xmlsignature+xml',
} as const;

export const DIGEST_URI: Record<HashAlgorithm, string> = {
  'SHA-256': 'http://www.w3.org/2001/04/xmlenc#sha256',
  'SHA-384': 'http://www.w3.org/2001/04/xmldsig-more#sha384',
  'SHA-512': 'http://www.w3.org/2001/04/xmlenc#sha512',
};

/** Digest URIs we verify (SHA-1 too: Office 2007 and old signers used it). */
export const DIGEST_BY_URI: Record<string, 'sha1' | 'sha256' | 'sha384' | 'sha512'> = {
  'http://www.w3.org/2000/09/xmldsig#sha1': 'sha1',
  'http://www.w3.org/2001/04/xmlenc#sha256': 'sha256',
  'http://www.w3.org/2001/04/xmldsig-more#sha384': 'sha384',
  'http://www.w3.org/2001/04/xmlenc#sha512': 'sha512',
};

export const SIGNATURE_URI = {
  RSA: {
    'SHA-256': 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    'SHA-384': 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha384',
    'SHA-512': 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
  },
  EC: {
    'SHA-256': 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256',
    'SHA-384': 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384',
    'SHA-512': 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512',
  },
} as const;

/** Signature URIs we verify: key type and Node hash name. */
export const SIGNATURE_BY_URI: Record<string, { key: 'RSA' | 'EC'; hash: 'sha1' | 'sha256' | 'sha384' | 'sha512' }> = {
  'http://www.w3.org/2000/09/xmldsig#rsa-sha1': { key: 'RSA', hash: 'sha1' },
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256': { key: 'RSA', hash: 'sha256' },
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha384': { key: 'RSA', hash: 'sha384' },
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512': { key: 'RSA', hash: 'sha512' },
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1': { key: 'EC', hash: 'sha1' },
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256': { key: 'EC', hash: 'sha256' },
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384': { key: 'EC', hash: 'sha384' },
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512': { key: 'EC', hash: 'sha512' },
};

/**
 * The relationship types Office signs (Office 2010 list, as Apache POI's OOXMLSignatureFacet carries it), by the
 * part of the type URI after `/relationships/`. Metadata (core/extended/custom properties, thumbnail) and the
 * signature relationships themselves are not in it: they may change after signing.
 */
const SIGNED_RELATIONSHIP_SUFFIXES = new Set([
  'activeXControlBinary', 'aFChunk', 'attachedTemplate', 'attachedToolbars', 'audio', 'calcChain', 'chart', 'chartColorStyle',
  'chartLayout', 'chartsheet', 'chartStyle', 'chartUserShapes', 'commentAuthors', 'comments', 'connections', 'connectorXml',
  'control', 'ctrlProp', 'customData', 'customProperty', 'customXml', 'diagram', 'diagramColors',
  'diagramColorsHeader', 'diagramData', 'diagramDrawing', 'diagramLayout', 'diagramLayoutHeader', 'diagramQuickStyle',
  'diagramQuickStyleHeader', 'dialogsheet', 'dictionary', 'documentParts', 'downRev', 'drawing', 'endnotes', 'externalLink',
  'externalLinkPath', 'font', 'fontTable', 'footer', 'footnotes', 'functionPrototypes', 'glossaryDocument', 'graphicFrameDoc',
  'groupShapeXml', 'handoutMaster', 'hdphoto', 'header', 'hyperlink', 'image', 'ink', 'inkXml', 'keyMapCustomizations',
  'legacyDiagramText', 'legacyDocTextInfo', 'mailMergeHeaderSource', 'mailMergeRecipientData', 'mailMergeSource', 'media',
  'notesMaster', 'notesSlide', 'numbering', 'officeDocument', 'oleObject', 'package', 'pictureXml',
  'pivotCacheDefinition', 'pivotCacheRecords', 'pivotTable', 'powerPivotData', 'presProps', 'printerSettings', 'queryTable',
  'recipientData', 'settings', 'shapeXml', 'sharedStrings', 'sheetMetadata', 'slicer', 'slicerCache',
  'slide', 'slideLayout', 'slideMaster', 'slideUpdateInfo', 'slideUpdateUrl', 'smartTags', 'styles', 'stylesWithEffects',
  'table', 'tableSingleCells', 'tableStyles', 'tags', 'theme', 'themeOverride', 'timeline', 'timelineCache', 'transform',
  'ui/altText', 'ui/buttonSize', 'ui/controlID', 'ui/description', 'ui/enabled', 'ui/extensibility',
  'ui/helperText', 'ui/imageID', 'ui/imageMso', 'ui/keyTip', 'ui/label', 'ui/lcid', 'ui/loud', 'ui/pressed', 'ui/progID',
  'ui/ribbonID', 'ui/showImage', 'ui/showLabel', 'ui/supertip', 'ui/target', 'ui/text', 'ui/title', 'ui/tooltip',
  'ui/userCustomization', 'ui/visible', 'userXmlData', 'vbaProject', 'video', 'viewProps', 'vmlDrawing',
  'volatileDependencies', 'webSettings', 'wordVbaData', 'worksheet', 'wsSortMap', 'xlBinaryIndex',
  'xlExternalLinkPath/xlAlternateStartup', 'xlExternalLinkPath/xlLibrary', 'xlExternalLinkPath/xlPathMissing',
  'xlExternalLinkPath/xlStartup', 'xlIntlMacrosheet', 'xlMacrosheet', 'xmlMaps',
]);

export function isSignedRelationshipType(type: string): boolean {
  const suffix = type.replace(/^.*\/relationships\//, '');
  return SIGNED_RELATIONSHIP_SUFFIXES.has(suffix) || suffix.endsWith('customXml');
}
