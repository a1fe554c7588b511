/** The catalog room's front door: what other rooms may call. */
export { allProducts, getProduct, PRODUCT_COLUMNS, type Product, ProductInput, upsertProducts } from './catalog.js';
