/**
 * What a caller (the agent's `pdf.sign`, the CLI, the placement dialog) may ask of a visible signature:
 * how it looks (`SignatureAppearanceOptions`) and where it goes (`Placement`). Plain types, browser-safe (the
 * placement dialog uses them too); the protocol's zod schemas are in ./schema.ts.
 *
 * Units are PDF points (1/72 in). Rectangles are `[x1, y1, x2, y2]` in the page's default user space
 * (the coordinates of its MediaBox, y upwards, before /Rotate), exactly what lands in the widget's /Rect.
 * Page numbers are 1-based, as people count them.
 */
/** `[x1, y1, x2, y2]` in default user space; any corner order, normalised when used. */
export type PlacementRect = [number, number, number, number];

/** Which pages: all of them, the first, the last, or a list of 1-based page numbers (negative counts from the end). */
export type PageSelection = 'all' | 'first' | 'last' | number[];

export type KeywordPosition = 'below' | 'above' | 'right' | 'left' | 'over';

/** One rectangle on one page. */
export interface RectPlacement {
  page: number;
  rect: PlacementRect;
}

/** The same rectangle on several pages: one signature field, one widget per page. */
export interface PagesPlacement {
  pages: PageSelection;
  rect: PlacementRect;
}

/**
 * Next to a phrase found in the page text (pdf.js). The phrase may be split across text items and lines;
 * matching ignores white space and Unicode normalisation differences (NFC), and is case-sensitive unless
 * `ignoreCase`. `position`, `offset` and `size` are as the page is displayed (after /Rotate):
 * `offset.x` to the right, `offset.y` upwards, in points.
 */
export interface KeywordPlacement {
  keyword: string;
  position?: KeywordPosition;
  offset?: { x: number; y: number };
  /** Box size as displayed; defaults to DEFAULT_BOX. */
  size?: { width: number; height: number };
  /** Which match to use when the phrase occurs more than once (document order); `all` adds a widget at each. */
  occurrence?: 'first' | 'last' | 'all';
  /** Pages to search (default: all). */
  pages?: PageSelection;
  ignoreCase?: boolean;
}

export type Placement = RectPlacement | PagesPlacement | KeywordPlacement;

/** Image with the text beside it, the image alone, or the text alone. */
export type AppearanceMode = 'text' | 'image' | 'image-text';

/** A line stamped on its own somewhere else in the document (số văn bản, ngày văn bản). */
export interface DocumentStamp {
  text: string;
  /** A rectangle or a keyword; the text is drawn in the box (left-aligned, vertically centred, shrunk to fit). */
  placement: RectPlacement | KeywordPlacement;
  fontSize?: number;
  bold?: boolean;
}

export interface SignatureAppearanceOptions {
  /** Default `text`, or `image-text` when an image is given. */
  mode?: AppearanceMode;
  /** Which parts of the signer's certificate and the signature to show. */
  show?: {
    /** "Ký bởi: <CN>" (default true). */
    signer?: boolean;
    /** "Email: …" (default false). */
    email?: boolean;
    /** "Cơ quan: <O>" (default true when the certificate has one). */
    organization?: boolean;
    /** "Đơn vị: <OU>" (default false). */
    organizationalUnit?: boolean;
    /** "Chức vụ: <T>" (default false). */
    title?: boolean;
    /** "Thời gian ký: dd/MM/yyyy HH:mm:ss (GMT+7)" in Vietnam time, the instant written in /M (default true). */
    time?: boolean;
    /** "Lý do: …" when a reason is given (default true). */
    reason?: boolean;
    /** "Nơi ký: …" when a location is given (default true). */
    location?: boolean;
    /** "Liên hệ: …" when contact information (/ContactInfo) is given (default false). */
    contact?: boolean;
  };
  /** Free text, one or more lines ("\n"), drawn after the other parts. */
  text?: string;
  /** Signature image: PNG (transparency kept) or JPEG, base64. */
  image?: string;
  /** Largest font size in points (default 10); the text shrinks below it to fit the box, never above it. */
  fontSize?: number;
  bold?: boolean;
  upperCase?: boolean;
  /** A thin frame around the box (default false). */
  border?: boolean;
  /** Label language (default vi). */
  language?: 'vi' | 'en';
  /** Số văn bản / ngày văn bản, stamped where asked, as part of the same signature. */
  documentNumber?: DocumentStamp;
  documentDate?: DocumentStamp;
}

/** Default box size (points) for keyword placement and for a box drawn by a single click. */
export const DEFAULT_BOX = { width: 180, height: 60 } as const;
export const DEFAULT_FONT_SIZE = 10;
export const MIN_FONT_SIZE = 4;

export const isRectPlacement = (p: Placement): p is RectPlacement => 'page' in p && 'rect' in p;
export const isPagesPlacement = (p: Placement): p is PagesPlacement => 'pages' in p && 'rect' in p;
export const isKeywordPlacement = (p: Placement): p is KeywordPlacement => 'keyword' in p;
